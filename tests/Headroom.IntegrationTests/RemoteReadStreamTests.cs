using System.Net;
using System.Text;
using Google.Protobuf;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using static Headroom.IntegrationTests.RemoteReadCodecTests;

namespace Headroom.IntegrationTests;

/// <summary>
/// The client reading answers written by the server-side encoders (and frames built by hand) from an in-memory
/// HTTP handler: streamed and SAMPLES round trips, frame limits, trimming, streaming before the end, and the errors
/// for broken streams.
/// </summary>
public sealed class RemoteReadStreamTests
{
    private static readonly Uri Base = new("http://remote-read.test/");

    [Fact]
    public async Task Streamed_encoder_to_client_round_trips_every_query_bit_exact()
    {
        // A 1 KiB frame limit splits the long series over many frames; the client must join them.
        IReadOnlyList<Series>[] input =
        [
            [Make("a", Awkward(5_000)), Make("b", Awkward(3)), Make("c", [])],
            [],
            [Make("d", Awkward(121)), Make("e", Awkward(1))],
        ];
        var body = await StreamedBody(input, maxBytesInFrame: 1024);
        var client = Client(body, RemoteReadServerCodec.StreamedContentType);
        var results = await client.ReadAsync([AllTime(), AllTime(), AllTime()]);
        Assert.Equal(RemoteReadResponseType.StreamedXorChunks, client.LastResponseType);
        Assert.Equal(3, results.Count);
        for (var q = 0; q < input.Length; q++)
        {
            var expected = input[q].Where(s => s.Points.Length > 0).ToList();
            Assert.Equal(expected.Select(s => s.Labels), results[q].Select(s => s.Labels));
            for (var i = 0; i < expected.Count; i++)
                AssertBitExact(expected[i].Points, results[q][i].Points);
        }
    }

    [Fact]
    public async Task Streamed_frames_stay_within_the_frame_limit()
    {
        var body = await StreamedBody([[Make("a", Awkward(20_000))]], maxBytesInFrame: 4096);
        var offset = 0;
        var frames = 0;
        while (offset < body.Length)
        {
            ulong size = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = body[offset++];
                size |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) break;
            }
            Assert.InRange((int)size, 1, 4096);
            offset += 4 + (int)size;
            frames++;
        }
        Assert.True(frames > 10, $"{frames} frames");
    }

    [Fact]
    public async Task The_client_trims_chunks_to_the_query_range_and_drops_duplicate_boundary_samples()
    {
        var points = Enumerable.Range(0, 400).Select(i => new FloatPoint(i * 1000L, i)).ToArray();
        // The same samples twice, as overlapping blocks would send them: one chunk set, then all of it again.
        var body = await StreamedBody([[Make("a", points)]], RemoteReadServerCodec.DefaultMaxBytesInFrame);
        var doubled = body.Concat(body).ToArray();
        var client = Client(doubled, RemoteReadServerCodec.StreamedContentType);
        var results = await client.ReadAsync([new RemoteReadQuery([], 50_500, 250_000)]);
        var series = Assert.Single(results[0]);
        Assert.Equal(points[51..251], series.Points);
    }

    [Fact]
    public async Task The_source_yields_a_series_before_the_answer_has_ended()
    {
        var body = await StreamedBody([[Make("a", Awkward(10)), Make("b", Awkward(10)), Make("c", Awkward(10))]], RemoteReadServerCodec.DefaultMaxBytesInFrame);
        // A series is known to be complete when the next series' frame arrives: send frames 1 and 2, hold back frame 3.
        var twoFrames = FrameLength(body, 0) + FrameLength(body, FrameLength(body, 0));
        var release = new TaskCompletionSource();
        var stream = new GatedStream(body, twoFrames + 3, release.Task);
        var source = new RemoteReadSource(new RemoteReadClient(new HttpClient(new FixedAnswer(stream, RemoteReadServerCodec.StreamedContentType)), Base));
        await using var series = source.SelectAsync([], long.MinValue, long.MaxValue, new SelectHints(), new SourceWarnings()).GetAsyncEnumerator();
        var first = series.MoveNextAsync().AsTask();
        if (await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(30))) != first)
            release.SetResult();
        Assert.True(await first);
        Assert.Equal("a", series.Current.Labels.Get("instance"));
        Assert.False(release.Task.IsCompleted, "the first series came only after the whole answer");
        release.SetResult();
        Assert.True(await series.MoveNextAsync());
        Assert.Equal("b", series.Current.Labels.Get("instance"));
        Assert.True(await series.MoveNextAsync());
        Assert.Equal("c", series.Current.Labels.Get("instance"));
        Assert.False(await series.MoveNextAsync());
    }

    [Fact]
    public async Task A_corrupted_frame_fails_its_crc_with_a_clear_message()
    {
        var body = await StreamedBody([[Make("a", Awkward(300))]], RemoteReadServerCodec.DefaultMaxBytesInFrame);
        body[^3] ^= 0x10;
        var e = await Assert.ThrowsAsync<RemoteReadException>(() => Client(body, RemoteReadServerCodec.StreamedContentType).ReadAsync([AllTime()]));
        Assert.Contains("frame 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("CRC-32C", e.Message, StringComparison.Ordinal);
        Assert.Contains("remote-read.test", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_stream_is_reported_as_such()
    {
        var body = await StreamedBody([[Make("a", Awkward(300)), Make("b", Awkward(300))]], RemoteReadServerCodec.DefaultMaxBytesInFrame);
        var cut = body[..(FrameLength(body, 0) + 20)];
        var e = await Assert.ThrowsAsync<RemoteReadException>(() => Client(cut, RemoteReadServerCodec.StreamedContentType).ReadAsync([AllTime()]));
        Assert.Contains("ended inside frame 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("mid-answer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Any_corruption_of_a_streamed_answer_is_a_remote_read_exception()
    {
        // Every prefix of a small answer and a flipped bit at every position: the client reports a broken stream
        // (or, for a cut between frames, fewer series), never another exception.
        var body = await StreamedBody([[Make("a", Awkward(130)), Make("b", Awkward(3))]], RemoteReadServerCodec.DefaultMaxBytesInFrame);
        var random = new Random(5);
        for (var i = 0; i < body.Length; i++)
        {
            var corrupt = (byte[])body.Clone();
            corrupt[i] ^= (byte)(1 << random.Next(8));
            foreach (var candidate in new[] { body[..i], corrupt })
            {
                try
                {
                    await Client(candidate, RemoteReadServerCodec.StreamedContentType).ReadAsync([AllTime()]);
                }
                catch (RemoteReadException)
                {
                }
            }
        }
    }

    [Fact]
    public async Task Histogram_chunks_are_skipped_with_a_warning_and_unknown_encodings_refused()
    {
        var xor = new byte[XorChunk.MaxEncodedLength(2)];
        var length = XorChunk.Encode([new FloatPoint(1, 1), new FloatPoint(2, 2)], xor);
        var body = Frame(ChunkedSeries("m", (1, xor[..length]), (2, [0, 0]))).Concat(Frame(ChunkedSeries("n", (1, xor[..length])))).ToArray();
        var warnings = new SourceWarnings();
        var all = new List<RemoteReadSeries>();
        await foreach (var s in Client(body, RemoteReadServerCodec.StreamedContentType).StreamAsync([AllTime()], warnings))
            all.Add(s);
        Assert.Equal(["m", "n"], all.Select(s => s.Series.Labels.Name));
        Assert.All(all, s => Assert.Equal(2, s.Series.Points.Length));
        Assert.Contains("native histogram chunks of m", Assert.Single(warnings.Messages), StringComparison.Ordinal);

        var unknown = Frame(ChunkedSeries("m", (7, xor[..length])));
        var e = await Assert.ThrowsAsync<RemoteReadException>(() => Client(unknown, RemoteReadServerCodec.StreamedContentType).ReadAsync([AllTime()]));
        Assert.Contains("encoding 7, which is unknown", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_client_falls_back_to_a_samples_answer_and_reads_the_samples_encoder()
    {
        IReadOnlyList<Series>[] input = [[Make("b", Awkward(700)), Make("a", Awkward(2))], [Make("c", Awkward(5))]];
        var client = Client(RemoteReadServerCodec.EncodeSamplesResponse(input), RemoteReadServerCodec.SamplesContentType);
        var results = await client.ReadAsync([AllTime(), AllTime()]);
        Assert.Equal(RemoteReadResponseType.Samples, client.LastResponseType);
        // Sorted by labels on the way in, as the streamed answer is.
        Assert.Equal(["a", "b"], results[0].Select(s => s.Labels.Get("instance")));
        AssertBitExact(input[0][0].Points, results[0][1].Points);
        AssertBitExact(input[1][0].Points, results[1][0].Points);
    }

    private static Series Make(string instance, FloatPoint[] points) => new(Labels.Of("__name__", "m", "instance", instance), points);

    private static RemoteReadQuery AllTime() => new([], long.MinValue, long.MaxValue);

    private static async Task<byte[]> StreamedBody(IReadOnlyList<IReadOnlyList<Series>> queries, int maxBytesInFrame)
    {
        using var output = new MemoryStream();
        for (var i = 0; i < queries.Count; i++)
            await RemoteReadServerCodec.WriteStreamedQueryAsync(output, i, queries[i].ToAsyncEnumerable(), maxBytesInFrame);
        return output.ToArray();
    }

    private static int FrameLength(byte[] body, int offset)
    {
        ulong size = 0;
        var start = offset;
        for (var shift = 0; ; shift += 7)
        {
            var b = body[offset++];
            size |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) break;
        }
        return offset - start + 4 + (int)size;
    }

    private static byte[] ChunkedSeries(string name, params (int Type, byte[] Data)[] chunks)
    {
        using var series = new MemoryStream();
        using (var o = new CodedOutputStream(series, leaveOpen: true))
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom([0x0A, 0x08, .. "__name__"u8, 0x12, (byte)name.Length, .. Encoding.ASCII.GetBytes(name)]));
            foreach (var (type, data) in chunks)
            {
                using var chunk = new MemoryStream();
                using (var c = new CodedOutputStream(chunk, leaveOpen: true))
                {
                    c.WriteTag(1, WireFormat.WireType.Varint); c.WriteInt64(1);
                    c.WriteTag(2, WireFormat.WireType.Varint); c.WriteInt64(2);
                    c.WriteTag(3, WireFormat.WireType.Varint); c.WriteEnum(type);
                    c.WriteTag(4, WireFormat.WireType.LengthDelimited); c.WriteBytes(ByteString.CopyFrom(data));
                }
                o.WriteTag(2, WireFormat.WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(chunk.ToArray()));
            }
        }
        return [0x0A, .. Varint((ulong)series.Length), .. series.ToArray()];
    }

    private static byte[] Frame(byte[] message)
    {
        var crc = Crc32C.Compute(message);
        return [.. Varint((ulong)message.Length), (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc, .. message];
    }

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static RemoteReadClient Client(byte[] body, string contentType) =>
        new(new HttpClient(new FixedAnswer(new MemoryStream(body), contentType)), Base);

    /// <summary>Answers every request with one body, as a server answering remote read would.</summary>
    private sealed class FixedAnswer(Stream body, string contentType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            return Task.FromResult(response);
        }
    }

    /// <summary>A body that sends its first bytes at once and the rest when <c>gate</c> completes, like a slow server.</summary>
    private sealed class GatedStream(byte[] body, int before, Task gate) : Stream
    {
        private int _position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= before)
                await gate.WaitAsync(cancellationToken);
            var end = _position < before ? before : body.Length;
            var n = Math.Min(buffer.Length, end - _position);
            body.AsSpan(_position, n).CopyTo(buffer.Span);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
