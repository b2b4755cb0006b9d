using System.Globalization;
using Headroom.Etl;
using Headroom.Warehouse;
using Spectre.Console;

namespace Headroom.Cli.Commands;

internal static partial class EtlCommand
{
    /// <summary>The data-quality finding of two sources disagreeing about a host: both values, the user decides which to trust.</summary>
    private static async Task PrintAgreementAsync(IWarehouse warehouse, double tolerance, TextWriter output, CancellationToken cancellationToken)
    {
        var findings = await SourceAgreement.CompareAsync(warehouse, TimeProvider.System.GetUtcNow(), tolerance: tolerance, cancellationToken: cancellationToken);
        if (findings.Count == 0)
            return;
        string Percent(double v) => v.ToString("P1", CultureInfo.InvariantCulture);
        var table = new Table().Title($"node_exporter and CloudWatch disagree (hourly CPU differs by more than {Percent(tolerance)})")
            .AddColumns("instance", "hours disagreeing", "worst hour", "node_exporter", "CloudWatch");
        foreach (var f in findings)
        {
            table.AddRow(Markup.Escape(f.InstanceId), $"{f.HoursDisagreeing} of {f.HoursCompared}", f.WorstHour.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                Percent(f.HostCpu), Percent(f.CloudCpu));
        }
        FleetCommand.Console(output).Write(table);
    }
}
