using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.Prometheus.ServerApi;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;

namespace Headroom.Gateway.Tests;

/// <summary>
/// A shard's external labels from the gateway's configuration are not in its replicas' TSDB: a query that selects by
/// one must still find the shard's series, as one Prometheus holding those labels would.
/// </summary>
public sealed class ExternalLabelMatcherTests
{
    private const long End = 3_600_000;

    [Theory]
    [InlineData("count(up{shard=\"s1\"})")]
    [InlineData("count(up{shard=~\"s1|s2\"})")]
    [InlineData("count(up{shard!=\"s0\"})")]
    [InlineData("count({shard=\"s0\"})")]
    [InlineData("sum by (shard) (up{shard=~\"s.*\"})")]
    public async Task A_matcher_on_a_configured_external_label_finds_that_shards_series(string query)
    {
        var (all, federated) = Topology();
        var labelled = Labelled(all);

        var expected = await new QueryEngine(labelled).InstantAsync(query, End);
        var answer = await new QueryEngine(federated).InstantAsync(query, End);

        Assert.NotEmpty(((VectorResult)expected.Value).Samples);
        Assert.Equal(QueryResponseWriter.ToJson(expected), QueryResponseWriter.ToJson(answer));
    }

    [Fact]
    public async Task Label_values_and_names_under_an_external_label_matcher_list_that_shards_series()
    {
        var (all, federated) = Topology();
        var matchers = new[] { new PromQL.Syntax.LabelMatcher(PromQL.Syntax.LabelMatchType.Equal, "shard", "s1") };
        var expected = Labelled(all).Select([.. matchers], long.MinValue, long.MaxValue)
            .Select(s => s.Labels.Get("instance")).Distinct().Order(StringComparer.Ordinal).ToList();

        var values = await federated.LabelValuesAsync("instance", matchers, long.MinValue, long.MaxValue, new SourceWarnings());
        var names = await federated.LabelNamesAsync(matchers, long.MinValue, long.MaxValue, new SourceWarnings());

        Assert.NotEmpty(expected);
        Assert.Equal(expected, values);
        Assert.Contains("shard", names);
        Assert.Contains("instance", names);
    }

    /// <summary>Nine <c>up</c> series split over three shards whose configured external label is <c>shard="s&lt;i&gt;"</c>.</summary>
    private static (InMemoryStorage All, FederatedSource Federated) Topology()
    {
        var all = new InMemoryStorage();
        for (var i = 0; i < 9; i++)
        {
            for (var t = 0L; t <= End; t += 60_000)
            {
                all.Append(Labels.Of(Labels.MetricName, "up", "instance", $"host-{i}"), t, 1);
            }
        }
        var shards = InMemoryTopology.Split(all, shards: 3, replicas: 2, missing: 0.2, seed: 7, external: i => Labels.Of("shard", $"s{i}"));
        return (all, new FederatedSource(shards, PartialResponse.Fail));
    }

    /// <summary>All the data with each series' shard label, as one Prometheus holding every shard's series would have it.</summary>
    private static InMemoryStorage Labelled(InMemoryStorage all)
    {
        var labelled = new InMemoryStorage();
        foreach (var series in all.Select([], long.MinValue, long.MaxValue))
        {
            var labels = series.Labels.With("shard", $"s{series.Labels.Hash % 3}");
            foreach (var point in series.Points)
            {
                labelled.Append(labels, point.T, point.F);
            }
        }
        return labelled;
    }
}
