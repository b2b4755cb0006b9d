using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.PromQL.Engine;

namespace Headroom.Gateway.Tests;

/// <summary>
/// The gateway counts a sample on a window's left edge as its shards' Prometheus does, and pushes nothing down where a
/// shard would count it differently.
/// </summary>
public sealed class WindowSemanticsTests
{
    [Theory]
    // compatibility, the replicas' major versions (0: did not answer), the engine's edge, whether pushdown stays on
    [InlineData(Compatibility.Auto, new[] { 2, 2, 0 }, WindowLeftEdge.Included, true)]
    [InlineData(Compatibility.Auto, new[] { 3, 3 }, WindowLeftEdge.Excluded, true)]
    [InlineData(Compatibility.Auto, new int[0], WindowLeftEdge.Excluded, true)]
    [InlineData(Compatibility.Auto, new[] { 0, 0 }, WindowLeftEdge.Excluded, true)]
    [InlineData(Compatibility.Auto, new[] { 2, 3 }, WindowLeftEdge.Excluded, false)]
    [InlineData(Compatibility.Prometheus3, new[] { 2, 2 }, WindowLeftEdge.Excluded, false)]
    [InlineData(Compatibility.Prometheus2, new[] { 3 }, WindowLeftEdge.Included, false)]
    [InlineData(Compatibility.Prometheus2, new[] { 2, 0 }, WindowLeftEdge.Included, true)]
    public void The_edge_follows_the_configuration_or_the_replicas_and_pushdown_needs_them_to_agree(Compatibility compatibility, int[] versions,
        WindowLeftEdge edge, bool pushdown)
    {
        var semantics = WindowSemantics.From(compatibility, [.. versions.Select(v => v == 0 ? (int?)null : v)]);

        Assert.Equal(edge, semantics.LeftEdge);
        Assert.Equal(pushdown, semantics.Pushdown);
        Assert.Equal(pushdown, !semantics.Description.Contains("nothing is pushed down", StringComparison.Ordinal));
    }
}
