using Headroom.Etl;
using Headroom.Insights;
using Headroom.Warehouse;

namespace Headroom.Cli.Commands;

internal static partial class EtlCommand
{
    /// <summary>The data-quality finding of two sources disagreeing about a host: both values, the user decides which to trust.</summary>
    private static async Task PrintAgreementAsync(IWarehouse warehouse, double tolerance, TextWriter output, CancellationToken cancellationToken)
    {
        var check = await CheckSourcesAsync(warehouse, tolerance, cancellationToken);
        if (check.Disagreements.Count > 0)
            FleetCommand.Console(output).Write(ReportRenderers.SourceTable(check));
    }

    /// <summary>Where node_exporter and CloudWatch disagree about a host's CPU, with the tolerance: empty when they agree or only one view is loaded.</summary>
    private static async Task<SourceCheck> CheckSourcesAsync(IWarehouse warehouse, double tolerance, CancellationToken cancellationToken)
    {
        var findings = await SourceAgreement.CompareAsync(warehouse, TimeProvider.System.GetUtcNow(), tolerance: tolerance, cancellationToken: cancellationToken);
        return new SourceCheck(tolerance, SourceAgreement.HostProfile, SourceAgreement.CloudProfile, findings);
    }
}

/// <summary>
/// <c>etl status --format json</c>: the warehouse's status (the same fields as before) and the data-quality finding in the
/// shape the report's JSON gives it (<c>data_quality</c>).
/// </summary>
internal sealed record EtlStatusDocument(
    IReadOnlyList<EtlRun> RecentRuns,
    IReadOnlyList<WatermarkLag> Watermarks,
    long OpenGaps,
    IReadOnlyDictionary<string, long> QuarantineByReason,
    SourceCheck DataQuality);
