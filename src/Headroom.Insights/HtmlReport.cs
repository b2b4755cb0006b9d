using System.Net;
using System.Text;
using Headroom.Warehouse;

namespace Headroom.Insights;

/// <summary>
/// The report as one self-contained HTML page: styles inline, charts as inline SVG drawn here, no script and
/// no external URL, so it opens offline and can be mailed or archived as is.
/// </summary>
public static partial class HtmlReport
{
    /// <summary>Charts drawn at most, for the top-ranked resources; a page for 10,000 resources stays readable.</summary>
    public const int DefaultChartLimit = 200;

    private const int Width = 560;
    private const int Height = 170;
    private const int Left = 44;
    private const int Right = 12;
    private const int Top = 12;
    private const int Bottom = 28;

    private static readonly (string Name, string Color)[] Lines = [("daily average", "#2b6cb0"), ("p95", "#dd6b20"), ("maximum", "#c53030")];

    /// <summary>The page for <paramref name="view"/>.</summary>
    public static string Render(InsightsReport report, ReportView view, int chartLimit = DefaultChartLimit)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Summary;
        var title = view switch
        {
            ReportView.Underused => "Under-used resources",
            ReportView.Rightsizing => "Rightsizing",
            _ => "Headroom insights",
        };
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(H(title)).Append(" · Headroom</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(H(title)).Append("</h1>\n")
            .AppendInvariant($"<p class=\"meta\">Profile <b>{H(report.Options.Profile)}</b>, {report.FirstDay:yyyy-MM-dd} to {report.LastDay:yyyy-MM-dd} (UTC), generated {report.GeneratedAt:yyyy-MM-dd HH:mm} UTC. Prices: {H(report.PriceSource)}; a month is {PriceCatalog.HoursPerMonth} hours.</p>\n");
        if (report.ShortHistory is { } note)
            html.AppendInvariant($"<p class=\"meta\">{H(note)}</p>\n");

        html.Append("<section id=\"summary\" class=\"cards\">\n");
        Card(html, "monthly-cost", "Monthly cost", ReportRenderers.Usd(s.MonthlyCost), $"{s.Resources} resources" + (s.UnknownTypes > 0 ? $", {s.UnknownTypes} of unknown type" : ""));
        Card(html, "waste", "Waste", ReportRenderers.Usd(s.MonthlyWaste), $"{s.Idle} idle, {s.LowUtilization} low utilization");
        Card(html, "savings", "Savings", ReportRenderers.Usd(s.MonthlySavings), $"{s.OverProvisioned} over-, {s.UnderProvisioned} under-provisioned");
        html.Append("</section>\n");
        if (report.Sources is { Disagreements.Count: > 0 } sources)
            SourceSection(html, sources);

        var charted = new List<ResourceInsight>();
        if (view is ReportView.Underused or ReportView.All)
        {
            var rows = report.Underused.ToList();
            html.Append("<section id=\"underused\">\n<h2>Idle and low-utilization resources</h2>\n")
                .AppendInvariant($"<p class=\"rule\">Idle: maximum CPU over the window ≤ {report.Options.IdleCpu:0.##%} (terminate). Low utilization: average CPU ≤ {report.Options.LowCpu:0.##%} and network I/O ≤ {ReportRenderers.Bytes(report.Options.LowNetworkBytes)} on at least {report.Options.LowDays} of the {report.Options.Days} days.</p>\n");
            if (rows.Count == 0)
                html.Append("<p class=\"empty\">No resource is idle or under-used in the window.</p>\n");
            else
                UnderusedTable(html, rows);
            html.Append("</section>\n");
            charted.AddRange(rows);
        }
        if (view is ReportView.Rightsizing or ReportView.All)
        {
            var rows = view == ReportView.All ? report.Rightsizable.ToList() : [.. report.Resources];
            html.Append("<section id=\"rightsizing\">\n<h2>Rightsizing</h2>\n")
                .AppendInvariant($"<p class=\"rule\">Need: {report.Options.CpuStatisticName} of the hourly 5-minute CPU maxima × vCPUs and the memory maximum × memory, plus {report.Options.Margin:0.##%}; recommended: the cheapest type that holds it. Under {report.Options.MinHours} hours of data: insufficient data.</p>\n");
            if (rows.Count == 0)
                html.Append("<p class=\"empty\">Every resource fits its type.</p>\n");
            else
                RightsizingTable(html, rows);
            html.Append("</section>\n");
            charted.AddRange(rows.Where(r => r.Rightsizing.Finding != Finding.InsufficientData && !charted.Contains(r)));
        }

        html.Append("<section id=\"charts\">\n<h2>Daily CPU</h2>\n");
        var drawn = charted.Take(chartLimit).ToList();
        if (charted.Count > drawn.Count)
            html.AppendInvariant($"<p class=\"meta\">Charts of the top {drawn.Count} of {charted.Count} resources by savings.</p>\n");
        html.Append("<p class=\"legend\">");
        foreach (var (name, color) in Lines)
            html.AppendInvariant($"<span><i style=\"background:{color}\"></i>{name}</span>");
        html.Append("</p>\n<div class=\"grid\">\n");
        foreach (var r in drawn)
            Chart(html, r, report.Daily.GetValueOrDefault(r.Resource.Key) ?? [], report.FirstDay, report.LastDay);
        html.Append("</div>\n</section>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Card(StringBuilder html, string id, string label, string value, string note) =>
        html.AppendInvariant($"<div class=\"card\" id=\"{id}\"><div class=\"label\">{H(label)}</div><div class=\"value\">{H(value)}</div><div class=\"note\">{H(note)}</div></div>\n");

    private static void UnderusedTable(StringBuilder html, List<ResourceInsight> rows)
    {
        html.Append("<table class=\"ranked\"><thead><tr><th>#</th><th>resource</th><th>name</th><th>type</th><th>rule</th><th>low days</th><th>avg CPU</th><th>max CPU</th><th>network/day</th><th>action</th><th>$/month</th><th>savings/month</th></tr></thead><tbody>\n");
        var rank = 0;
        foreach (var r in rows)
        {
            html.AppendInvariant($"<tr data-resource=\"{H(r.Resource.Key)}\"><td>{++rank}</td><td><a href=\"#{Id(r.Resource.Key)}\">{H(r.Resource.Key)}</a></td><td>{H(r.Resource.Name)}</td><td>{H(r.Resource.InstanceType)}</td>")
                .AppendInvariant($"<td class=\"{(r.Underuse.Kind == UnderuseKind.Idle ? "idle" : "low")}\">{ReportRenderers.Rule(r.Underuse.Kind)}</td><td>{r.Underuse.LowDays}/{r.Underuse.Days}</td>")
                .AppendInvariant($"<td>{ReportRenderers.Pct(r.Underuse.CpuAverage)}</td><td>{ReportRenderers.Pct(r.Underuse.CpuMax)}</td><td>{ReportRenderers.Bytes(r.Underuse.NetworkBytesPerDay)}</td>")
                .AppendInvariant($"<td>{H(r.Action)}</td><td class=\"n\">{ReportRenderers.Usd(r.MonthlyCost)}</td><td class=\"n\">{ReportRenderers.Usd(r.MonthlySavings)}</td></tr>\n");
        }
        html.AppendInvariant($"</tbody><tfoot><tr><td colspan=\"10\">total</td><td class=\"n\">{ReportRenderers.Usd(rows.Sum(static r => r.MonthlyCost))}</td><td class=\"n\">{ReportRenderers.Usd(rows.Sum(static r => r.MonthlySavings))}</td></tr></tfoot></table>\n");
    }

    private static void RightsizingTable(StringBuilder html, List<ResourceInsight> rows)
    {
        html.Append("<table class=\"ranked\"><thead><tr><th>#</th><th>resource</th><th>name</th><th>type</th><th>finding</th><th>CPU need</th><th>max memory</th><th>recommended</th><th>risk</th><th>reasons</th><th>action</th><th>$/month</th><th>savings/month</th></tr></thead><tbody>\n");
        var rank = 0;
        foreach (var r in rows)
        {
            var z = r.Rightsizing;
            html.AppendInvariant($"<tr data-resource=\"{H(r.Resource.Key)}\"><td>{++rank}</td><td><a href=\"#{Id(r.Resource.Key)}\">{H(r.Resource.Key)}</a></td><td>{H(r.Resource.Name)}</td><td>{H(r.Resource.InstanceType)}</td>")
                .AppendInvariant($"<td>{ReportRenderers.FindingName(z.Finding)}</td><td>{ReportRenderers.Pct(z.CpuPeak)}</td><td>{ReportRenderers.Pct(z.MemoryMax)}</td><td>{H(z.Recommended?.Name)}</td>")
                .AppendInvariant($"<td>{(z.Risk is { } risk ? ReportRenderers.RiskName(risk) : "")}</td><td class=\"why\">{H(string.Join("; ", z.Reasons))}</td><td>{H(r.Action)}</td>")
                .AppendInvariant($"<td class=\"n\">{ReportRenderers.Usd(r.MonthlyCost)}</td><td class=\"n\">{ReportRenderers.Usd(r.MonthlySavings)}</td></tr>\n");
        }
        html.AppendInvariant($"</tbody><tfoot><tr><td colspan=\"11\">total</td><td class=\"n\">{ReportRenderers.Usd(rows.Sum(static r => r.MonthlyCost))}</td><td class=\"n\">{ReportRenderers.Usd(rows.Where(static r => r.MonthlySavings > 0).Sum(static r => r.MonthlySavings))}</td></tr></tfoot></table>\n");
    }

    /// <summary>One resource's daily average, p95 and maximum as three polylines over the window's days.</summary>
    private static void Chart(StringBuilder html, ResourceInsight r, IReadOnlyList<DailyPoint> points, DateOnly first, DateOnly last)
    {
        var days = Math.Max(1, last.DayNumber - first.DayNumber);
        var top = Math.Max(0.05, points.Count == 0 ? 0 : points.Max(static p => p.Max));
        top = top <= 0.1 ? Math.Ceiling(top * 100) / 100 : Math.Min(1, Math.Ceiling(top * 10) / 10);
        double X(DateOnly day) => Left + ((Width - Left - Right) * (double)(day.DayNumber - first.DayNumber) / days);
        double Y(double v) => Top + ((Height - Top - Bottom) * (1 - (Math.Min(v, top) / top)));

        html.AppendInvariant($"<figure class=\"chart\" id=\"{Id(r.Resource.Key)}\" data-resource=\"{H(r.Resource.Key)}\" data-points=\"{points.Count}\">")
            .AppendInvariant($"<figcaption><b>{H(r.Resource.Key)}</b> {H(r.Resource.Name)} · {H(r.Resource.InstanceType)} · {H(r.Action)}</figcaption>\n")
            .AppendInvariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"daily CPU of {H(r.Resource.Key)}\">");
        for (var i = 0; i <= 4; i++)
        {
            var v = top * i / 4;
            html.AppendInvariant($"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(v):0.#}\" y2=\"{Y(v):0.#}\"/><text class=\"axis\" x=\"{Left - 4}\" y=\"{Y(v) + 4:0.#}\" text-anchor=\"end\">{v:0.#%}</text>");
        }
        html.AppendInvariant($"<text class=\"axis\" x=\"{Left}\" y=\"{Height - 8}\">{first:MM-dd}</text><text class=\"axis\" x=\"{Width - Right}\" y=\"{Height - 8}\" text-anchor=\"end\">{last:MM-dd}</text>");
        if (points.Count == 0)
            html.AppendInvariant($"<text class=\"axis\" x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\">no daily data</text>");
        for (var line = 0; line < Lines.Length; line++)
        {
            var (name, color) = Lines[line];
            html.AppendInvariant($"<polyline class=\"series\" data-series=\"{name}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"");
            foreach (var p in points)
            {
                var value = line switch { 0 => p.Avg, 1 => p.P95, _ => p.Max };
                html.AppendInvariant($"{X(p.Day):0.#},{Y(value):0.#} ");
            }
            html.Append("\"/>");
        }
        html.Append("</svg></figure>\n");
    }

    private static string Id(string key)
    {
        var id = new StringBuilder("r-");
        foreach (var c in key)
            id.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        id.Append('-').Append(((uint)StringComparer.Ordinal.GetHashCode(key)).ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        return id.ToString();
    }

    private static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    internal const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1a202c;background:#fff}
        h1{margin:0 0 4px}h2{margin:28px 0 8px;border-bottom:1px solid #e2e8f0}
        .meta,.rule{color:#4a5568;margin:4px 0}
        .cards{display:flex;gap:16px;flex-wrap:wrap;margin:16px 0}
        .card{border:1px solid #e2e8f0;border-radius:8px;padding:12px 16px;min-width:180px}
        .card .label{color:#4a5568}.card .value{font-size:26px;font-weight:600}.card .note{color:#718096;font-size:12px}
        #savings .value{color:#2f855a}#waste .value{color:#c53030}
        table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #edf2f7;text-align:left;vertical-align:top}
        th{background:#f7fafc}td.n{text-align:right;white-space:nowrap}td.why{font-size:12px;color:#4a5568;max-width:420px}
        td.idle{color:#c53030;font-weight:600}td.low{color:#dd6b20}tfoot td{font-weight:600}
        .grid{display:flex;flex-wrap:wrap;gap:12px}
        figure.chart{margin:0;border:1px solid #e2e8f0;border-radius:8px;padding:8px}
        figcaption{font-size:12px;margin-bottom:4px}
        svg line.grid{stroke:#edf2f7}svg text.axis{font-size:10px;fill:#718096}
        .legend span{margin-right:16px}.legend i{display:inline-block;width:12px;height:3px;margin-right:6px;vertical-align:middle}
        """;
}
