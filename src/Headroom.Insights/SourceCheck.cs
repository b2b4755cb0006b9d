using System.Globalization;
using Headroom.Warehouse;

namespace Headroom.Insights;

/// <summary>
/// The report's data-quality finding: hosts seen by both node_exporter and CloudWatch (matched by instance id) whose hourly
/// CPU differs by more than <paramref name="CpuTolerance"/>. Both values are shown; which source to trust is the user's call.
/// </summary>
/// <param name="CpuTolerance">The largest difference (ratio of CPU) between the two hourly means that still agrees.</param>
/// <param name="HostProfile">The profile of the node_exporter view, e.g. <c>node</c>.</param>
/// <param name="CloudProfile">The profile of the CloudWatch view, e.g. <c>aws-ec2</c>.</param>
/// <param name="Disagreements">The hosts that disagree, most hours first; empty when every matched host agrees.</param>
public sealed record SourceCheck(double CpuTolerance, string HostProfile, string CloudProfile, IReadOnlyList<AgreementFinding> Disagreements)
{
    /// <summary>The finding about the resource of key <paramref name="resourceKey"/> (either view's), null when it has none.</summary>
    public AgreementFinding? For(string resourceKey) =>
        Disagreements.FirstOrDefault(f => f.HostResource == resourceKey || f.CloudResource == resourceKey);

    /// <summary>The heading every format shows above the list.</summary>
    public string Title => string.Create(CultureInfo.InvariantCulture,
        $"Data quality: node_exporter ({HostProfile}) and CloudWatch ({CloudProfile}) disagree about {Disagreements.Count} host{(Disagreements.Count == 1 ? "" : "s")}: " +
        $"hourly CPU differs by more than {ReportRenderers.Pct(CpuTolerance)}. Both values are shown; which source to trust is your call.");
}
