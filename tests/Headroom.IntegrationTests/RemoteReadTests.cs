using System.Text.Json;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using Headroom.Testing;

namespace Headroom.IntegrationTests;

/// <summary>Remote read against a real Prometheus holding <see cref="PromqlHistory"/>.</summary>
public sealed class RemoteReadTests(PromqlPrometheus prometheus) : IClassFixture<PromqlPrometheus>
{
    private static readonly long Start = PromqlHistory.Start.ToUnixTimeMilliseconds();
    private static readonly long End = PromqlHistory.End.ToUnixTimeMilliseconds();

    private RemoteReadClient Client => new(prometheus.Http, prometheus.Server.BaseUri);

    private static LabelMatcher Eq(string name, string value) => new(LabelMatchType.Equal, name, value);

    [Fact]
    public async Task Reads_the_same_raw_samples_as_the_http_api()
    {
        var results = await Client.ReadAsync([new RemoteReadQuery([Eq("__name__", "http_requests_total"), Eq("job", "api"), Eq("code", "500")], Start, End)]);
        var series = Assert.Single(results);
        Assert.Equal(3, series.Count);

        // A range selector over all of the data returns the raw samples.
        var uri = new Uri(prometheus.Server.BaseUri, "api/v1/query?query=" + Uri.EscapeDataString("http_requests_total{job=\"api\",code=\"500\"}[7h]")
            + "&time=" + (End / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var json = await TestSupport.GetJsonAsync(uri);
        var expected = json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToDictionary(
            r => r.GetProperty("metric").GetProperty("instance").GetString()!,
            r => r.GetProperty("values").EnumerateArray().Select(v => ((long)Math.Round(v[0].GetDouble() * 1000), double.Parse(v[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture))).ToArray());
        foreach (var s in series)
        {
            Assert.Equal("http_requests_total", s.Labels.Name);
            var want = expected[s.Labels.Get("instance")];
            Assert.Equal(PromqlHistory.Slots, s.Points.Length);
            Assert.Equal(want, s.Points.Select(p => (p.T, p.F)).ToArray());
        }
    }

    [Fact]
    public async Task Applies_regex_and_negative_matchers_and_the_time_range()
    {
        var from = Start + 3_600_000;
        var to = Start + 7_200_000;
        var results = await Client.ReadAsync(
        [
            new RemoteReadQuery([new LabelMatcher(LabelMatchType.Regex, "__name__", "request_duration_seconds_(count|sum)"), new LabelMatcher(LabelMatchType.NotEqual, "job", "web")], from, to),
            new RemoteReadQuery([new LabelMatcher(LabelMatchType.NotRegex, "instance", "a|b"), Eq("__name__", "node_memory_used_bytes")], from, to,
                new SelectHints(Step: 60_000, Function: "avg_over_time", Range: 300_000)),
        ]);
        Assert.Equal(2, results.Count);
        Assert.Equal(["request_duration_seconds_count", "request_duration_seconds_sum"], results[0].Select(s => s.Labels.Name).Order(StringComparer.Ordinal));
        Assert.All(results[0], s => Assert.Equal("api", s.Labels.Get("job")));
        var memory = Assert.Single(results[1]);
        Assert.Equal("c", memory.Labels.Get("instance"));
        Assert.All(results.SelectMany(r => r).SelectMany(s => s.Points), p => Assert.InRange(p.T, from, to));
        Assert.Equal(240, memory.Points.Length);
    }

    [Fact]
    public async Task The_source_streams_series_sorted_by_labels()
    {
        var source = new RemoteReadSource(Client);
        var series = new List<Series>();
        await foreach (var s in source.SelectAsync([Eq("__name__", "http_requests_total")], Start, End, new SelectHints(), new SourceWarnings()))
            series.Add(s);
        Assert.Equal(12, series.Count);
        Assert.Equal(series.Select(s => s.Labels), series.Select(s => s.Labels).Order(Comparer<Labels>.Create(Labels.Compare)));
        Assert.Equal(1, source.Requests);
    }

    [Fact]
    public async Task Streamed_chunks_from_prometheus_equal_its_samples_answer()
    {
        var samples = new RemoteReadClient(prometheus.Http, prometheus.Server.BaseUri, RemoteReadResponseType.Samples);
        var streamed = Client;
        // Ranges that start and end inside chunks (Prometheus sends whole chunks; the client trims them), one that
        // holds all of the data, one before it, and several queries in one request.
        RemoteReadQuery[] queries =
        [
            new([Eq("__name__", "http_requests_total")], Start, End),
            new([new LabelMatcher(LabelMatchType.Regex, "__name__", "request_duration_seconds_.*")], Start + 1_234_567, Start + 9_876_543),
            new([new LabelMatcher(LabelMatchType.Regex, "__name__", ".+")], Start + 3_600_000 + 7, Start + 3_600_000 + 7 + 45_000),
            new([new LabelMatcher(LabelMatchType.Regex, "__name__", ".+")], End - 600_000, End + 3_600_000),
            new([new LabelMatcher(LabelMatchType.Regex, "__name__", ".+")], Start - 7_200_000, Start - 1),
        ];
        var want = await samples.ReadAsync(queries);
        var got = await streamed.ReadAsync(queries);
        Assert.Equal(RemoteReadResponseType.Samples, samples.LastResponseType);
        Assert.Equal(RemoteReadResponseType.StreamedXorChunks, streamed.LastResponseType);
        Assert.Equal(queries.Length, got.Count);
        var total = want.Sum(r => r.Sum(s => s.Points.Length));
        Assert.True(total > 20_000, $"{total} samples");
        Assert.Empty(got[^1]);
        for (var q = 0; q < queries.Length; q++)
        {
            Assert.Equal(want[q].Select(s => s.Labels), got[q].Select(s => s.Labels));
            for (var i = 0; i < want[q].Count; i++)
                RemoteReadCodecTests.AssertBitExact(want[q][i].Points, got[q][i].Points);
        }
    }

    [Fact]
    public async Task Our_xor_encoder_writes_the_same_bytes_as_prometheus_for_its_chunks()
    {
        // Prometheus' own chunks are the oracle: decode each, encode the samples again, compare byte for byte.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(prometheus.Server.BaseUri, "api/v1/read"));
        request.Content = new ByteArrayContent(Snappier.Snappy.CompressToArray(RemoteReadCodec.EncodeRequest(
            [new RemoteReadQuery([new LabelMatcher(LabelMatchType.Regex, "__name__", ".+")], Start, End)], [RemoteReadResponseType.StreamedXorChunks])));
        request.Content.Headers.ContentEncoding.Add("snappy");
        using var response = await prometheus.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var frames = new ChunkedFrameReader(await response.Content.ReadAsStreamAsync());
        int chunks = 0, spare = 0;
        while (await frames.MoveNextAsync(CancellationToken.None))
        {
            foreach (var data in XorChunksOf(frames.Current.ToArray()))
            {
                var points = new FloatPoint[XorChunk.SampleCount(data)];
                Assert.Equal(points.Length, XorChunk.Decode(data, long.MinValue, long.MaxValue, points));
                var again = new byte[XorChunk.MaxEncodedLength(points.Length)];
                var ours = Convert.ToHexString(again, 0, XorChunk.Encode(points, again));
                var theirs = Convert.ToHexString(data);
                // Prometheus' bit stream appends a byte before writing a whole byte, so a chunk whose last field ends on a
                // byte boundary carries one spare zero byte; readers never reach it, and Headroom's encoder leaves it out.
                if (ours.Length + 2 == theirs.Length && theirs.EndsWith("00", StringComparison.Ordinal))
                {
                    theirs = theirs[..^2];
                    spare++;
                }
                Assert.Equal(theirs, ours);
                chunks++;
            }
        }
        Assert.True(chunks > 100, $"{chunks} chunks ({spare} with Prometheus' spare byte)");
    }

    /// <summary>The data of every chunk in a ChunkedReadResponse frame (series field 1, chunks field 2, data field 4).</summary>
    private static List<byte[]> XorChunksOf(byte[] frame)
    {
        var result = new List<byte[]>();
        foreach (var series in Fields(frame, 1))
            foreach (var chunk in Fields(series, 2))
                result.AddRange(Fields(chunk, 4));
        return result;
    }

    private static List<byte[]> Fields(byte[] message, int wanted)
    {
        var result = new List<byte[]>();
        var input = new Google.Protobuf.CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (Google.Protobuf.WireFormat.GetTagFieldNumber(tag) == wanted && Google.Protobuf.WireFormat.GetTagWireType(tag) == Google.Protobuf.WireFormat.WireType.LengthDelimited)
                result.Add(input.ReadBytes().ToByteArray());
            else
                input.SkipLastField();
        }
        return result;
    }

    [Fact]
    public async Task A_matcher_the_server_rejects_raises_its_message_with_the_status()
    {
        // (?<x>…) is RE2 since Go 1.22, so Headroom (reading as Prometheus 3 does) accepts it, but the regexp of
        // Prometheus 2.42 predates it: that server answers 500 with RE2's message.
        var e = await Assert.ThrowsAsync<RemoteReadException>(() => Client.ReadAsync(
            [new RemoteReadQuery([new LabelMatcher(LabelMatchType.Regex, "job", "(?<x>a)")], Start, End)]));
        Assert.Equal(500, e.StatusCode);
        Assert.Contains("HTTP 500", e.Message, StringComparison.Ordinal);
        Assert.Contains("regexp", e.Message, StringComparison.Ordinal);
        Assert.Contains("api/v1/read", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_path_is_reported_with_its_status()
    {
        var client = new RemoteReadClient(prometheus.Http, new Uri(prometheus.Server.BaseUri, "nowhere/"));
        var e = await Assert.ThrowsAsync<RemoteReadException>(() => client.ReadAsync([new RemoteReadQuery([Eq("job", "api")], Start, End)]));
        Assert.Equal(404, e.StatusCode);
    }

    [Fact]
    public async Task A_server_that_is_not_a_remote_read_endpoint_is_named_as_such()
    {
        // Prometheus' own web UI answers HTML with 200 at a path below the root.
        var client = new RemoteReadClient(prometheus.Http, new Uri(prometheus.Server.BaseUri, "graph/"));
        var e = await Assert.ThrowsAnyAsync<RemoteReadException>(() => client.ReadAsync([new RemoteReadQuery([Eq("job", "api")], Start, End)]));
        Assert.Contains("api/v1/read", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_clearly()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var client = new RemoteReadClient(http, new Uri("http://127.0.0.1:9/"));
        var e = await Assert.ThrowsAsync<RemoteReadException>(() => client.ReadAsync([new RemoteReadQuery([Eq("job", "api")], Start, End)]));
        Assert.Contains("cannot reach", e.Message, StringComparison.Ordinal);
        Assert.Null(e.StatusCode);
    }

    [Fact]
    public void A_payload_that_is_not_a_read_response_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => RemoteReadCodec.DecodeResponse([0x0A, 0x05, 0x0A, 0x10]));
        Assert.Throws<InvalidDataException>(() => RemoteReadCodec.DecodeResponse([0x0F]));
    }
}
