using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Ruler.Tests;

/// <summary>Recording rules in a group: order, visibility of earlier output, labels, query offset, limit, staleness.</summary>
public sealed class GroupEvaluationTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-ruler-group-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Ruler Create(string rules, InMemoryStorage storage)
    {
        var file = Path.Combine(_directory, "rules.yml");
        File.WriteAllText(file, rules);
        return Ruler.Create(new RulerOptions
        {
            RuleFiles = [file],
            Source = new Uri("http://127.0.0.1:1/"),
            RemoteWrite = new Uri("http://127.0.0.1:1/api/v1/write"),
            FlushTimeout = TimeSpan.Zero,
        }, time: new FakeTimeProvider(T0), source: storage);
    }

    [Fact]
    public async Task A_later_rule_sees_an_earlier_rules_output_of_the_same_evaluation()
    {
        var storage = new InMemoryStorage();
        storage.Append(Labels.Of("__name__", "requests", "job", "api", "instance", "a"), T0.ToUnixTimeMilliseconds(), 10);
        storage.Append(Labels.Of("__name__", "requests", "job", "api", "instance", "b"), T0.ToUnixTimeMilliseconds(), 32);
        await using var ruler = Create("""
            groups:
              - name: g
                rules:
                  - record: job:requests:sum
                    expr: sum by (job) (requests)
                    labels: {source: ruler}
                  - record: job:requests:double
                    expr: job:requests:sum * 2
            """, storage);
        var result = await ruler.EvaluateAsync(ruler.Groups[0], T0.AddSeconds(30), default);
        Assert.Empty(result.Failures);
        Assert.Equal(
            [
                new Sample(Labels.Of("__name__", "job:requests:sum", "job", "api", "source", "ruler"), T0.AddSeconds(30).ToUnixTimeMilliseconds(), 42),
                new Sample(Labels.Of("__name__", "job:requests:double", "job", "api", "source", "ruler"), T0.AddSeconds(30).ToUnixTimeMilliseconds(), 84),
            ], result.Samples);
    }

    [Fact]
    public async Task Query_offset_moves_the_evaluation_and_the_sample_time_back()
    {
        var storage = new InMemoryStorage();
        var series = Labels.Of("__name__", "x");
        storage.Append(series, T0.ToUnixTimeMilliseconds(), 1);
        storage.Append(series, T0.AddMinutes(1).ToUnixTimeMilliseconds(), 2);
        await using var ruler = Create("groups:\n  - name: g\n    query_offset: 1m\n    rules:\n      - record: x:copy\n        expr: x\n", storage);
        var result = await ruler.EvaluateAsync(ruler.Groups[0], T0.AddMinutes(1).AddSeconds(10), default);
        var sample = Assert.Single(result.Samples);
        Assert.Equal((T0.AddSeconds(10).ToUnixTimeMilliseconds(), 1.0), (sample.T, sample.F));
    }

    [Fact]
    public async Task Limit_and_staleness()
    {
        var storage = new InMemoryStorage();
        for (var i = 0; i < 3; i++)
            storage.Append(Labels.Of("__name__", "x", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), T0.ToUnixTimeMilliseconds(), i);
        await using var ruler = Create("""
            groups:
              - name: g
                limit: 2
                rules:
                  - record: over:limit
                    expr: x
                  - record: one:series
                    expr: x{i="0"} or x{i="1"} > 5
                  - record: total:sum
                    expr: sum without (i) (x)
            """, storage);
        var group = ruler.Groups[0];
        var first = await ruler.EvaluateAsync(group, T0, default);
        Assert.Equal(["over:limit: exceeded limit of 2 with 3 series"], first.Failures.Select(f => $"{f.Rule.Name}: {f.Error.Message}"));
        Assert.Equal(2, first.Samples.Count);
        // Five minutes on, x is past the lookback: one:series and total:sum vanish and get staleness markers.
        var later = await ruler.EvaluateAsync(group, T0.AddMinutes(6), default);
        Assert.Equal(["one:series", "total:sum"], later.Samples.Where(s => StaleMarker.IsStale(s.F)).Select(s => s.Labels.Name));
    }
}
