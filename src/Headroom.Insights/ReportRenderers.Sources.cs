using System.Globalization;
using Spectre.Console;

namespace Headroom.Insights;

public static partial class ReportRenderers
{
    /// <summary>The CSV columns of a resource's data-quality finding, after the report's own (empty when it has none).</summary>
    internal const string SourceCsvColumns = "instance_id,cpu_tolerance,hours_compared,hours_disagreeing,worst_hour,node_exporter_cpu,cloudwatch_cpu";

    /// <summary>
    /// The table of hosts whose node_exporter and CloudWatch views disagree: host, instance id, hours disagreeing, the worst
    /// hour and both CPU values in it. Shown by <c>headroom report</c> and <c>headroom etl status</c>.
    /// </summary>
    public static Table SourceTable(SourceCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var table = new Table().Title(Markup.Escape(check.Title))
            .AddColumns("host", "instance id", "hours disagreeing", "worst hour (UTC)", "node_exporter CPU", "CloudWatch CPU", "difference");
        foreach (var f in check.Disagreements)
        {
            table.AddRow(E(f.HostResource), E(f.InstanceId), $"{f.HoursDisagreeing} of {f.HoursCompared}", f.WorstHour.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                Pct(f.HostCpu), Pct(f.CloudCpu), (f.CloudCpu - f.HostCpu).ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture));
        }
        return table;
    }

    private static string[] SourceCsvFields(SourceCheck? check, string resourceKey)
    {
        if (check?.For(resourceKey) is not { } f)
            return ["", check is null ? "" : D(check.CpuTolerance), "", "", "", "", ""];
        return [f.InstanceId, D(check.CpuTolerance), I(f.HoursCompared), I(f.HoursDisagreeing), f.WorstHour.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), D(f.HostCpu), D(f.CloudCpu)];
    }
}
