using System.Globalization;
using System.Text;

namespace Headroom.Insights;

public static partial class HtmlReport
{
    /// <summary>The data-quality section: each host whose node_exporter and CloudWatch views disagree, with both values.</summary>
    private static void SourceSection(StringBuilder html, SourceCheck check)
    {
        html.AppendInvariant($"<section id=\"data-quality\">\n<h2>Data quality</h2>\n<p class=\"rule\">{H(check.Title)}</p>\n")
            .Append("<table class=\"sources\"><thead><tr><th>host</th><th>instance id</th><th>hours disagreeing</th><th>worst hour (UTC)</th><th>node_exporter CPU</th><th>CloudWatch CPU</th><th>difference</th></tr></thead><tbody>\n");
        foreach (var f in check.Disagreements)
        {
            html.AppendInvariant($"<tr data-instance=\"{H(f.InstanceId)}\" data-host=\"{H(f.HostResource)}\" data-cloud=\"{H(f.CloudResource)}\"><td>{H(f.HostResource)}</td><td>{H(f.InstanceId)}</td>")
                .AppendInvariant($"<td>{f.HoursDisagreeing} of {f.HoursCompared}</td><td>{f.WorstHour.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}</td>")
                .AppendInvariant($"<td class=\"n\">{ReportRenderers.Pct(f.HostCpu)}</td><td class=\"n\">{ReportRenderers.Pct(f.CloudCpu)}</td>")
                .AppendInvariant($"<td class=\"n\">{(f.CloudCpu - f.HostCpu).ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture)}</td></tr>\n");
        }
        html.Append("</tbody></table>\n</section>\n");
    }
}
