using System.Text.Json;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using Headroom.Prometheus.RemoteRead;
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
    public async Task A_matcher_the_server_rejects_raises_its_message_with_the_status()
    {
        // A lookahead is valid in .NET but not in Go's RE2: Prometheus 2.42 answers 500 with RE2's message.
        var e = await Assert.ThrowsAsync<RemoteReadException>(() => Client.ReadAsync(
            [new RemoteReadQuery([new LabelMatcher(LabelMatchType.Regex, "job", "a(?=b)")], Start, End)]));
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
