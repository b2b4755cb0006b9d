using System.Diagnostics;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;

namespace Headroom.PromQL.Tests;

/// <summary>A subquery whose range over its step is more steps than the engine may hold is refused at once, never answered wrongly.</summary>
public sealed class SubqueryLimitsTests
{
    [Theory]
    [InlineData("count_over_time(m[100y:1ms])")]
    [InlineData("count_over_time(m[1y:1ms])")]
    [InlineData("max_over_time(rate(m[5m])[30d:1ms])")]
    public async Task More_steps_than_the_sample_limit_is_a_query_error_at_once(string query)
    {
        var storage = new InMemoryStorage();
        for (var t = 0L; t <= 600_000; t += 60_000)
        {
            storage.Append(Labels.Of(Labels.MetricName, "m"), t, t);
        }
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<QueryException>(() => new QueryEngine(storage).InstantAsync(query, 600_000));

        Assert.Contains("too many samples", error.Message, StringComparison.Ordinal);
        Assert.Contains("evaluation steps", error.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_fine_subquery_within_the_limit_still_answers()
    {
        var storage = new InMemoryStorage();
        for (var t = 0L; t <= 600_000; t += 60_000)
        {
            storage.Append(Labels.Of(Labels.MetricName, "m"), t, t);
        }

        var result = await new QueryEngine(storage).InstantAsync("count_over_time(m[10m:1s])", 600_000);

        Assert.Equal(600, Assert.Single(((VectorResult)result.Value).Samples).F);
    }
}
