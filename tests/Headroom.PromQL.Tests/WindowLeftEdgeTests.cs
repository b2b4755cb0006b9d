using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;

namespace Headroom.PromQL.Tests;

/// <summary>
/// Samples every minute on the minute, queried on the minute: each window starts on a sample, which Prometheus 3
/// leaves out and Prometheus 2 counts (<see cref="WindowLeftEdge"/>).
/// </summary>
public sealed class WindowLeftEdgeTests
{
    private const long Minute = 60_000;
    private const long At = 60 * Minute;

    [Theory]
    [InlineData("count_over_time(m[10m])", 10, 11)]
    [InlineData("count_over_time(m[10m:1m])", 10, 11)]
    [InlineData("count_over_time(m[10m] offset 5m)", 10, 11)]
    [InlineData("sum_over_time(m[2m])", 59 + 60, 58 + 59 + 60)]
    public async Task A_sample_on_the_left_edge_counts_only_when_asked(string query, double prometheus3, double prometheus2)
    {
        var storage = Minutes();

        Assert.Equal(prometheus3, await ValueAsync(storage, query, WindowLeftEdge.Excluded));
        Assert.Equal(prometheus2, await ValueAsync(storage, query, WindowLeftEdge.Included));
    }

    [Fact]
    public async Task The_lookback_reaches_a_sample_exactly_five_minutes_back_only_when_the_edge_counts()
    {
        var storage = new InMemoryStorage();
        storage.Append(Labels.Of(Labels.MetricName, "m"), At - 5 * Minute, 7);

        var excluded = await new QueryEngine(storage).InstantAsync("m", At);
        var included = await new QueryEngine(storage, new EngineOptions { LeftEdge = WindowLeftEdge.Included }).InstantAsync("m", At);

        Assert.Empty(((VectorResult)excluded.Value).Samples);
        Assert.Equal(7, Assert.Single(((VectorResult)included.Value).Samples).F);
    }

    [Fact]
    public async Task Rate_extrapolates_over_the_nominal_range_whichever_edge_counts()
    {
        // A counter rising 60 a minute: the rate is 1/s either way, though Prometheus 2 reads one sample more.
        var storage = new InMemoryStorage();
        for (var t = 0L; t <= At; t += Minute)
        {
            storage.Append(Labels.Of(Labels.MetricName, "c"), t, t / 1000.0);
        }

        Assert.Equal(1, await ValueAsync(storage, "rate(c[5m])", WindowLeftEdge.Excluded), 9);
        Assert.Equal(1, await ValueAsync(storage, "rate(c[5m])", WindowLeftEdge.Included), 9);
    }

    /// <summary>Series <c>m</c> with the value of its minute (0, 1, … 60) at every whole minute up to <see cref="At"/>.</summary>
    private static InMemoryStorage Minutes()
    {
        var storage = new InMemoryStorage();
        for (var t = 0L; t <= At; t += Minute)
        {
            storage.Append(Labels.Of(Labels.MetricName, "m"), t, t / Minute);
        }
        return storage;
    }

    private static async Task<double> ValueAsync(InMemoryStorage storage, string query, WindowLeftEdge edge)
    {
        var result = await new QueryEngine(storage, new EngineOptions { LeftEdge = edge }).InstantAsync(query, At);
        return Assert.Single(((VectorResult)result.Value).Samples).F;
    }
}
