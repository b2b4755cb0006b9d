using Headroom.Gateway.Configuration;
using Headroom.PromQL.Engine;

namespace Headroom.Gateway.Federation;

/// <summary>
/// Whether the gateway's engine counts a sample on a window's left edge, and whether pushing parts of a query down to
/// the shards keeps the answer the same. A shard evaluates a pushed query with its own Prometheus' edges; where they
/// differ from the engine's, a sample sitting exactly on an edge (data backfilled on whole minutes, say) would be
/// counted in one place and not in the other, so nothing is pushed.
/// </summary>
/// <param name="LeftEdge">The engine's window edges.</param>
/// <param name="Pushdown">Whether every replica that named its version evaluates windows as the engine does.</param>
/// <param name="Description">What was decided and why, for the log.</param>
internal sealed record WindowSemantics(WindowLeftEdge LeftEdge, bool Pushdown, string Description)
{
    /// <summary>Decides from the configuration and the major versions the replicas named (null: did not answer).</summary>
    public static WindowSemantics From(Compatibility compatibility, IReadOnlyList<int?> majorVersions)
    {
        var known = majorVersions.OfType<int>().ToList();
        var two = known.Count(v => v < 3);
        var three = known.Count - two;
        var edge = compatibility switch
        {
            Compatibility.Prometheus2 => WindowLeftEdge.Included,
            Compatibility.Prometheus3 => WindowLeftEdge.Excluded,
            _ => two > 0 && three == 0 ? WindowLeftEdge.Included : WindowLeftEdge.Excluded,
        };
        var answersAs = edge == WindowLeftEdge.Included ? "Prometheus 2 (a sample on a window's left edge counts)" : "Prometheus 3 (a sample on a window's left edge does not count)";
        var replicas = $"{known.Count} of {majorVersions.Count} replicas named their version: {two} run Prometheus 2, {three} Prometheus 3 or later";
        var others = edge == WindowLeftEdge.Included ? three : two;
        if (others == 0)
        {
            return new(edge, Pushdown: true, $"answers as {answersAs}; {replicas}");
        }
        return new(edge, Pushdown: false,
            $"answers as {answersAs}; {replicas}, whose windows differ, so nothing is pushed down to the shards " +
            "(run one Prometheus major version on every shard, or set compatibility: to match them)");
    }
}
