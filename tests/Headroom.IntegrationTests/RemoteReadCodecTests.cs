using System.Net;
using System.Text;
using Google.Protobuf;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using Snappier;

namespace Headroom.IntegrationTests;

/// <summary>
/// The remote read codecs without a server: CRC-32C, XOR chunks, and the server's request decoding.
/// <see cref="RemoteReadStreamTests"/> reads the server-side encoders back through the client; <see cref="RemoteReadTests"/>
/// checks the client against a real Prometheus.
/// </summary>
public sealed class RemoteReadCodecTests
{
    [Fact]
    public void Crc32C_matches_the_published_check_value()
    {
        // The CRC-32C check value of "123456789" (RFC 3720, appendix B.4), and a length that is not a multiple of 8.
        Assert.Equal(0xE3069283u, Crc32C_Compute("123456789"));
        Assert.Equal(0x22620404u, Crc32C_Compute("The quick brown fox jumps over the lazy dog"));
    }

    private static uint Crc32C_Compute(string text) => Crc32C.Compute(Encoding.ASCII.GetBytes(text));

    [Fact]
    public void Xor_chunks_round_trip_bit_exact_with_nan_stale_markers_and_every_delta_width()
    {
        var points = Awkward(1_000);
        for (var offset = 0; offset < points.Length; offset += XorChunk.SamplesPerChunk)
        {
            var slice = points.AsSpan(offset, Math.Min(XorChunk.SamplesPerChunk, points.Length - offset));
            var buffer = new byte[XorChunk.MaxEncodedLength(slice.Length)];
            var length = XorChunk.Encode(slice, buffer);
            var decoded = new FloatPoint[XorChunk.SampleCount(buffer)];
            var n = XorChunk.Decode(buffer.AsSpan(0, length), long.MinValue, long.MaxValue, decoded);
            Assert.Equal(slice.Length, n);
            AssertBitExact(slice.ToArray(), decoded);
        }
    }

    [Fact]
    public void Xor_decoding_keeps_only_the_samples_in_range()
    {
        var points = Enumerable.Range(0, 120).Select(i => new FloatPoint(1_000 + i * 15_000L, i)).ToArray();
        var buffer = new byte[XorChunk.MaxEncodedLength(points.Length)];
        var length = XorChunk.Encode(points, buffer);
        var decoded = new FloatPoint[120];
        var n = XorChunk.Decode(buffer.AsSpan(0, length), points[10].T, points[20].T - 1, decoded);
        Assert.Equal(points[10..20], decoded[..n]);
    }

    [Fact]
    public void A_truncated_xor_chunk_is_refused()
    {
        var points = Awkward(50);
        var buffer = new byte[XorChunk.MaxEncodedLength(points.Length)];
        var length = XorChunk.Encode(points, buffer);
        var e = Assert.Throws<InvalidDataException>(() => XorChunk.Decode(buffer.AsSpan(0, length / 2), long.MinValue, long.MaxValue, new FloatPoint[50]));
        Assert.Contains("ends in the middle of a sample", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_xor_chunks_are_refused_as_invalid_data()
    {
        // A chunk that passed its frame's CRC can still be wrong (a buggy server): decoding must fail cleanly.
        var random = new Random(3);
        var destination = new FloatPoint[ushort.MaxValue];
        for (var i = 0; i < 2_000; i++)
        {
            var chunk = new byte[random.Next(0, 200)];
            random.NextBytes(chunk);
            try
            {
                var n = XorChunk.Decode(chunk, long.MinValue, long.MaxValue, destination);
                Assert.InRange(n, 0, XorChunk.SampleCount(chunk));
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    [Fact]
    public void The_server_decodes_what_the_client_encodes()
    {
        RemoteReadQuery[] queries =
        [
            new([new(LabelMatchType.Equal, "__name__", "up"), new(LabelMatchType.NotRegex, "job", "a|b")], -5_000, 7_000,
                new SelectHints(Step: 60_000, Function: "rate", Range: 300_000, Grouping: ["job", "le"], By: true)),
            new([new(LabelMatchType.NotEqual, "x", ""), new(LabelMatchType.Regex, "y", ".+")], 1, 2),
        ];
        var request = RemoteReadServerCodec.DecodeRequest(Snappy.CompressToArray(RemoteReadCodec.EncodeRequest(queries,
            [RemoteReadResponseType.StreamedXorChunks, RemoteReadResponseType.Samples])));
        Assert.Equal([RemoteReadResponseType.StreamedXorChunks, RemoteReadResponseType.Samples], request.AcceptedResponseTypes);
        Assert.Equal(RemoteReadResponseType.StreamedXorChunks, request.ResponseType);
        Assert.Equal(2, request.Queries.Count);
        for (var i = 0; i < queries.Length; i++)
        {
            Assert.Equal(queries[i].StartMs, request.Queries[i].StartMs);
            Assert.Equal(queries[i].EndMs, request.Queries[i].EndMs);
            Assert.Equal(queries[i].Matchers, request.Queries[i].Matchers);
        }
        var hints = request.Queries[0].Hints!;
        Assert.Equal((60_000L, "rate", 300_000L, true), (hints.Step, hints.Function, hints.Range, hints.By));
        Assert.Equal(["job", "le"], hints.Grouping!);
        Assert.Null(request.Queries[1].Hints);

        var old = RemoteReadServerCodec.DecodeRequest(Snappy.CompressToArray(RemoteReadCodec.EncodeRequest(queries, [])));
        Assert.Equal(RemoteReadResponseType.Samples, old.ResponseType);
    }

    [Fact]
    public void Garbage_requests_are_refused_with_400_and_a_reason()
    {
        var notSnappy = Assert.Throws<RemoteReadException>(() => RemoteReadServerCodec.DecodeRequest("hello, world"u8));
        Assert.Equal(400, notSnappy.StatusCode);
        Assert.Contains("not snappy-compressed", notSnappy.Message, StringComparison.Ordinal);

        var notProtobuf = Assert.Throws<RemoteReadException>(() => RemoteReadServerCodec.DecodeRequest(Snappy.CompressToArray([0x0A, 0x10, 0x01])));
        Assert.Equal(400, notProtobuf.StatusCode);
        Assert.Contains("not a prometheus.ReadRequest", notProtobuf.Message, StringComparison.Ordinal);

        // The client cannot build a matcher with an invalid regex; write one by hand.
        var regex = Snappy.CompressToArray(RegexRequest("("));
        var e = Assert.Throws<RemoteReadException>(() => RemoteReadServerCodec.DecodeRequest(regex));
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("invalid regular expression", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_request_body_either_decodes_or_is_refused_with_400()
    {
        // Random bytes, and every prefix and single-byte corruption of a valid body: never an exception of another kind.
        var valid = Snappy.CompressToArray(RemoteReadCodec.EncodeRequest(
            [new RemoteReadQuery([new(LabelMatchType.Regex, "job", "a.*"), new(LabelMatchType.Equal, "x", "y")], 1, 2, new SelectHints(Step: 1, Function: "rate"))],
            [RemoteReadResponseType.StreamedXorChunks]));
        var random = new Random(12);
        var bodies = new List<byte[]>();
        for (var i = 0; i < 300; i++)
        {
            var body = new byte[random.Next(0, 64)];
            random.NextBytes(body);
            bodies.Add(body);
        }
        for (var i = 0; i < valid.Length; i++)
        {
            bodies.Add(valid[..i]);
            var corrupt = (byte[])valid.Clone();
            corrupt[i] ^= (byte)(1 << random.Next(8));
            bodies.Add(corrupt);
        }
        foreach (var body in bodies)
        {
            try
            {
                RemoteReadServerCodec.DecodeRequest(body);
            }
            catch (RemoteReadException e)
            {
                Assert.Equal(400, e.StatusCode);
            }
        }
    }

    private static byte[] RegexRequest(string pattern)
    {
        using var matcher = new MemoryStream();
        using (var o = new CodedOutputStream(matcher, leaveOpen: true))
        {
            o.WriteTag(1, WireFormat.WireType.Varint); o.WriteEnum(2);
            o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString("job");
            o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteString(pattern);
        }
        using var query = new MemoryStream();
        using (var o = new CodedOutputStream(query, leaveOpen: true))
        {
            o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(matcher.ToArray()));
        }
        using var request = new MemoryStream();
        using (var o = new CodedOutputStream(request, leaveOpen: true))
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(query.ToArray()));
        }
        return request.ToArray();
    }

    /// <summary>Samples that exercise the codec: NaN payloads, the staleness marker, ±0, ±∞, and time gaps of every width.</summary>
    internal static FloatPoint[] Awkward(int count)
    {
        var random = new Random(count);
        var points = new FloatPoint[count];
        var t = -86_400_000L + random.Next(0, 1000);
        long[] gaps = [15_000, 15_000, 15_001, 14_000, 30_000, 200_000, 1_000_000, 3_600_000_000, 1];
        double[] specials = [double.NaN, StaleMarker.Value, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0123), 0.0, -0.0,
            double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, 1e-300];
        var value = 0.0;
        for (var i = 0; i < count; i++)
        {
            t += gaps[random.Next(gaps.Length)];
            value = random.Next(10) switch
            {
                0 => specials[random.Next(specials.Length)],
                1 or 2 => value,
                3 => random.NextDouble() * 1e9,
                _ => Math.Round(value + random.Next(0, 100)),
            };
            points[i] = new FloatPoint(t, value);
        }
        return points;
    }

    internal static void AssertBitExact(FloatPoint[] expected, FloatPoint[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].T, actual[i].T);
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i].F) == BitConverter.DoubleToInt64Bits(actual[i].F),
                $"sample {i} at {expected[i].T}: expected bits {BitConverter.DoubleToInt64Bits(expected[i].F):x16}, got {BitConverter.DoubleToInt64Bits(actual[i].F):x16}");
        }
    }
}
