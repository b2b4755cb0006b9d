using Headroom.Etl;
using Headroom.Insights;
using Headroom.Warehouse;

namespace Headroom.Cli.Commands;

internal static partial class EtlCommand
{
    /// <summary>The data-quality finding of two sources disagreeing about a host: both values, the user decides which to trust.</summary>
    private static async Task PrintAgreementAsync(IWarehouse warehouse, double tolerance, TextWriter output, CancellationToken cancellationToken)
    {
        var findings = await SourceAgreement.CompareAsync(warehouse, TimeProvider.System.GetUtcNow(), tolerance: tolerance, cancellationToken: cancellationToken);
        if (findings.Count == 0)
            return;
        FleetCommand.Console(output).Write(ReportRenderers.SourceTable(new SourceCheck(tolerance, SourceAgreement.HostProfile, SourceAgreement.CloudProfile, findings)));
    }
}
