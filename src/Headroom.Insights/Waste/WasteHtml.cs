using System.Globalization;
using System.Net;
using System.Text;

namespace Headroom.Insights.Waste;

/// <summary>
/// The waste report as one self-contained HTML page: a summary line per kind, a table per kind with a bar chart
/// of the judged value per day for each flagged resource (inline SVG, no script, no external URL), and the
/// purchase options with a chart of each family's hourly units against its baseline.
/// </summary>
public static class WasteHtml
{
    private const int Width = 420;
    private const int Height = 130;
    private const int Left = 50;
    private const int Bottom = 22;
    private const int Top = 10;

    /// <summary>Charts drawn at most per kind (the first flagged, ranked by savings).</summary>
    public const int DefaultChartLimit = 50;

    /// <summary>The page.</summary>
    public static string Render(WasteReport report, int chartLimit = DefaultChartLimit)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Headroom: waste beyond EC2</title><style>")
            .Append(HtmlReport.Style).Append("</style></head><body>\n");
        html.Append("<h1>Waste beyond EC2</h1>\n");
        A(html, $"<p class=\"meta\">Generated {report.GeneratedAt:yyyy-MM-dd HH:mm} UTC. Prices: {H(report.PriceSource)}.</p>\n");
        A(html, $"<div class=\"cards\"><div class=\"card\" id=\"savings\"><div class=\"label\">savings a month</div><div class=\"value\">{ReportRenderers.Usd(report.MonthlySavings)}</div><div class=\"note\">flagged resources with a price</div></div>");
        if (report.Purchase is { } p0)
            A(html, $"<div class=\"card\" id=\"commitments\"><div class=\"label\">commitments save</div><div class=\"value\">{ReportRenderers.Usd(p0.CommitmentSavings)}</div><div class=\"note\">{H(p0.Options.Plan)}</div></div>");
        html.Append("</div>\n<ul class=\"summary\">\n");
        foreach (var s in report.Sections)
            A(html, $"<li>{H(s.SummaryLine())}</li>\n");
        if (report.Purchase is { } p1)
            A(html, $"<li>{H(p1.SummaryLine())}</li>\n");
        html.Append("</ul>\n");

        foreach (var section in report.Sections)
        {
            var id = section.Info.Profile;
            A(html, $"<h2 id=\"{id}\">{H(section.Info.Title)}</h2>\n<p class=\"rule\">{H(section.Info.Rule)}. Source: {H(section.Info.Source)}.");
            if (section.Start is { } start && section.End is { } end)
                A(html, $" Window {start:yyyy-MM-dd HH:mm} to {end:yyyy-MM-dd HH:mm} UTC.");
            html.Append("</p>\n");
            if (section.Note is { } note)
                A(html, $"<p class=\"note\">{H(note)}</p>\n");
            var rows = section.Findings.Where(static f => f.Verdict != WasteVerdict.Ok).ToList();
            if (rows.Count == 0)
            {
                if (section.Findings.Count > 0)
                    A(html, $"<p>None of the {section.Findings.Count} resources is flagged.</p>\n");
                continue;
            }
            html.Append("<table class=\"kind\"><thead><tr><th>resource</th><th>name</th><th>region</th><th>type</th><th>verdict</th><th>evidence</th><th>action</th><th>$/month</th><th>savings/month</th><th>price note</th></tr></thead><tbody>\n");
            foreach (var f in rows)
            {
                var css = f.IsFlagged ? "idle" : "low";
                A(html, $"<tr><td>{H(f.Resource.Key)}</td><td>{H(f.Resource.Name)}</td><td>{H(f.Resource.Region)}</td><td>{H(f.Resource.InstanceType)}</td><td class=\"{css}\">{WasteSection.Name(f.Verdict)}</td><td class=\"why\">{H(f.Evidence)}</td><td>{H(f.Action)}</td><td class=\"n\">{(f.MonthlyCost is { } c ? ReportRenderers.Usd(c) : "")}</td><td class=\"n\">{ReportRenderers.Usd(f.MonthlySavings)}</td><td class=\"why\">{H(f.PriceNote)}</td></tr>\n");
            }
            A(html, $"</tbody><tfoot><tr><td colspan=\"8\">total</td><td class=\"n\">{ReportRenderers.Usd(section.MonthlySavings)}</td><td></td></tr></tfoot></table>\n");
            html.Append("<div class=\"grid\">\n");
            foreach (var f in rows.Where(static f => f.IsFlagged && f.Daily.Count > 0).Take(chartLimit))
                Bars(html, $"{f.Resource.Name ?? f.Resource.Key}: {f.Measure}", f.Daily.Select(static d => d.Value).ToList(), f.Daily[0].Start);
            html.Append("</div>\n");
        }

        if (report.Purchase is { } p)
            Purchase(html, p);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Purchase(StringBuilder html, PurchaseReport p)
    {
        A(html, $"<h2 id=\"purchase\">Purchase options</h2>\n<p class=\"rule\">{H(p.Method)}</p>\n");
        foreach (var note in p.Notes)
            A(html, $"<p class=\"note\">{H(note)}</p>\n");
        html.Append("<table class=\"purchase\"><thead><tr><th>region</th><th>family</th><th>instances</th><th>hours</th><th>units min / median / max</th><th>$/unit-hour</th><th>baseline $/h</th><th>commit $/h</th><th>break-even</th><th>on-demand $/month</th><th>savings/month</th><th>note</th></tr></thead><tbody>\n");
        foreach (var f in p.Families)
        {
            A(html, $"<tr><td>{H(f.Region)}</td><td>{H(f.Family)}</td><td class=\"n\">{f.Resources}</td><td class=\"n\">{f.Hours}</td><td class=\"n\">{f.MinUnits:0.##} / {f.MedianUnits:0.##} / {f.MaxUnits:0.##}</td><td class=\"n\">{f.UnitHourlyUsd:0.0000}</td><td class=\"n\">{f.BaselineHourlyUsd:0.0000}</td><td class=\"n\">{f.CommitmentHourlyUsd:0.0000}</td><td class=\"n\">{f.BreakEvenUtilization:0%}</td><td class=\"n\">{ReportRenderers.Usd(f.MonthlyOnDemandUsd)}</td><td class=\"n\">{ReportRenderers.Usd(f.MonthlySavings)}</td><td class=\"why\">{H(f.Note)}</td></tr>\n");
        }
        A(html, $"</tbody><tfoot><tr><td colspan=\"10\">total</td><td class=\"n\">{ReportRenderers.Usd(p.CommitmentSavings)}</td><td></td></tr></tfoot></table>\n");
        html.Append("<div class=\"grid\">\n");
        foreach (var f in p.Families.Where(static f => f.HourlyUnits.Count > 0))
            Line(html, $"{f.Region} {f.Family}: normalised units each hour, baseline {f.MinUnits:0.##}", f.HourlyUnits, f.Note is null ? f.MinUnits : null);
        html.Append("</div>\n");
        if (p.Spot.Count > 0)
        {
            html.Append("<h3>Spot candidates</h3><table class=\"spot\"><thead><tr><th>resource</th><th>name</th><th>type</th><th>evidence</th><th>on-demand $/month</th><th>est. savings/month</th></tr></thead><tbody>\n");
            foreach (var s in p.Spot)
                A(html, $"<tr><td>{H(s.Resource.Key)}</td><td>{H(s.Resource.Name)}</td><td>{H(s.Resource.InstanceType)}</td><td class=\"why\">{H(s.Evidence)}</td><td class=\"n\">{ReportRenderers.Usd(s.MonthlyOnDemandUsd)}</td><td class=\"n\">{ReportRenderers.Usd(s.MonthlySavings)}</td></tr>\n");
            html.Append("</tbody></table>\n");
        }
    }

    /// <summary>A bar per day (NaN: no bar).</summary>
    private static void Bars(StringBuilder html, string caption, IReadOnlyList<double> values, DateTimeOffset first)
    {
        var top = Math.Max(1e-9, values.Where(double.IsFinite).DefaultIfEmpty(0).Max());
        var plotWidth = Width - Left - 8;
        var plotHeight = Height - Top - Bottom;
        var barWidth = (double)plotWidth / Math.Max(1, values.Count);
        A(html, $"<figure class=\"chart\"><figcaption>{H(caption)}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" role=\"img\">");
        A(html, $"<line class=\"grid\" x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Width - 8}\" y2=\"{Top + plotHeight}\"/><text class=\"axis\" x=\"2\" y=\"{Top + 8}\">{Short(top)}</text><text class=\"axis\" x=\"2\" y=\"{Top + plotHeight}\">0</text>");
        for (var i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
                continue;
            var h = values[i] / top * plotHeight;
            A(html, $"<rect x=\"{Left + (i * barWidth) + 1:0.#}\" y=\"{Top + plotHeight - h:0.#}\" width=\"{Math.Max(1, barWidth - 2):0.#}\" height=\"{h:0.#}\" fill=\"#2b6cb0\"><title>{first.AddDays(i):yyyy-MM-dd}: {Short(values[i])}</title></rect>");
        }
        A(html, $"<text class=\"axis\" x=\"{Left}\" y=\"{Height - 6}\">{first:MM-dd}</text><text class=\"axis\" x=\"{Width - 50}\" y=\"{Height - 6}\">{first.AddDays(values.Count - 1):MM-dd}</text></svg></figure>\n");
    }

    /// <summary>A line of hourly values and, when given, a dashed baseline.</summary>
    private static void Line(StringBuilder html, string caption, IReadOnlyList<double> values, double? baseline)
    {
        var top = Math.Max(1e-9, values.Max());
        var plotWidth = Width - Left - 8;
        var plotHeight = Height - Top - Bottom;
        double X(int i) => Left + (values.Count <= 1 ? 0 : (double)i / (values.Count - 1) * plotWidth);
        double Y(double v) => Top + plotHeight - (v / top * plotHeight);
        var points = string.Join(' ', values.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):0.#},{Y(v):0.#}")));
        A(html, $"<figure class=\"chart\"><figcaption>{H(caption)}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" role=\"img\">");
        A(html, $"<line class=\"grid\" x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Width - 8}\" y2=\"{Top + plotHeight}\"/><text class=\"axis\" x=\"2\" y=\"{Top + 8}\">{Short(top)}</text><text class=\"axis\" x=\"2\" y=\"{Top + plotHeight}\">0</text>");
        A(html, $"<polyline fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"1\" points=\"{points}\"/>");
        if (baseline is { } b)
            A(html, $"<line x1=\"{Left}\" y1=\"{Y(b):0.#}\" x2=\"{Width - 8}\" y2=\"{Y(b):0.#}\" stroke=\"#2f855a\" stroke-dasharray=\"4 3\"><title>baseline {Short(b)}</title></line>");
        html.Append("</svg></figure>\n");
    }

    private static string Short(double v) => v switch
    {
        >= 1e9 => (v / 1e9).ToString("0.#G", CultureInfo.InvariantCulture),
        >= 1e6 => (v / 1e6).ToString("0.#M", CultureInfo.InvariantCulture),
        >= 1e3 => (v / 1e3).ToString("0.#k", CultureInfo.InvariantCulture),
        _ => v.ToString("0.##", CultureInfo.InvariantCulture),
    };

    private static void A(StringBuilder html, FormattableString text) => html.Append(text.ToString(CultureInfo.InvariantCulture));

    private static string H(string? text) => WebUtility.HtmlEncode(text ?? "");
}
