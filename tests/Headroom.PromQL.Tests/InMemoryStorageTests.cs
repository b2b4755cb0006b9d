using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Tests;

/// <summary>
/// In-memory storage: samples kept in time order whatever order they arrive in, selections that callers may keep, and
/// queries running concurrently over one storage (the engine reads its arrays in place) answering exactly what they
/// answer one at a time.
/// </summary>
public class InMemoryStorageTests
{
    private static readonly LabelMatcher[] s_requests = [new(LabelMatchType.Equal, "__name__", "requests_total")];

    private static InMemoryStorage Data()
    {
        var data = new InMemoryStorage();
        var random = new Random(3);
        for (var i = 0; i < 40; i++)
        {
            var labels = Labels.Of("__name__", "requests_total", "job", "job-" + (i / 2 % 4), "instance", "i" + (i / 2), "code", i % 2 == 0 ? "200" : "500");
            double value = 0;
            for (long t = 7_000; t <= 7_200_000; t += 15_000)
            {
                value += random.NextDouble() * 10;
                data.Append(labels, t, value);
            }
        }
        return data;
    }

    [Fact]
    public void Samples_arriving_out_of_order_are_kept_in_time_order_and_a_second_sample_at_a_time_replaces_the_first()
    {
        var data = new InMemoryStorage();
        var labels = Labels.Of("__name__", "requests_total");
        foreach (var t in new long[] { 50, 10, 40, 20, 30, 60, 5 })
        {
            data.Append(labels, t, t * 2);
        }
        data.Append(labels, 40, -1);
        data.Append(labels, 5, -2);

        var series = Assert.Single(data.Select(s_requests, long.MinValue, long.MaxValue));

        Assert.Equal(new long[] { 5, 10, 20, 30, 40, 50, 60 }, series.Points.Select(p => p.T));
        Assert.Equal(new double[] { -2, 20, 40, 60, -1, 100, 120 }, series.Points.Select(p => p.F));
        Assert.Equal([new FloatPoint(20, 40), new FloatPoint(30, 60)], Assert.Single(data.Select(s_requests, 11, 39)).Points);
    }

    [Fact]
    public void A_selection_is_a_copy_that_later_writes_do_not_change()
    {
        var data = new InMemoryStorage();
        var labels = Labels.Of("__name__", "requests_total");
        for (long t = 0; t < 100; t += 10)
        {
            data.Append(labels, t, 1);
        }
        var before = Assert.Single(data.Select(s_requests, 0, 50)).Points;

        data.Append(labels, 20, 99);
        data.Append(labels, 25, 99);

        Assert.All(before, p => Assert.Equal(1, p.F));
        Assert.Equal(new long[] { 0, 10, 20, 30, 40, 50 }, before.Select(p => p.T));
        Assert.Equal(99, Assert.Single(data.Select(s_requests, 20, 20)).Points[0].F);
    }

    [Fact]
    public async Task Queries_running_at_once_over_one_storage_answer_what_they_answer_one_at_a_time()
    {
        var data = Data();
        var engine = new QueryEngine(data);
        string[] queries =
        [
            "rate(requests_total[5m])",
            "sum by (job) (rate(requests_total[5m]))",
            "topk(3, rate(requests_total[5m]))",
            "rate(requests_total{code=\"500\"}[5m]) / ignoring(code) rate(requests_total{code=\"200\"}[5m])",
            "max_over_time(rate(requests_total[5m])[20m:1m])",
            "quantile by (code) (0.9, requests_total)",
        ];
        // Windows in the middle of the data, so that every selection is a slice of the stored samples.
        const long Start = 600_000, End = 6_600_000, Step = 60_000;
        var alone = new List<string>();
        foreach (var query in queries)
        {
            alone.Add(Text(await engine.RangeAsync(query, Start, End, Step)));
        }

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8 * queries.Length).Select(n => Task.Run(async () =>
            (n % queries.Length, Text(await engine.RangeAsync(queries[n % queries.Length], Start, End, Step))))));

        Assert.All(alone, text => Assert.Contains("{", text, StringComparison.Ordinal));
        foreach (var (query, text) in concurrent)
        {
            Assert.Equal(alone[query], text);
        }
    }

    private static string Text(QueryResult result) =>
        string.Join("\n", ((MatrixResult)result.Value).Series.Select(s => s.Labels + " " + string.Join(",", s.Points.Select(p => $"{p.T}={p.F:R}"))));
}
