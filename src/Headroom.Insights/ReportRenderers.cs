using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Headroom.Warehouse;
using Spectre.Console;

namespace Headroom.Insights;

/// <summary>Which report a rendering shows.</summary>
public enum ReportView
{
    /// <summary><c>headroom report underused</c>: idle and low-utilization resources.</summary>
    Underused,

    /// <summary><c>headroom report rightsizing</c>: every resource with its finding.</summary>
    Rightsizing,

    /// <summary>Both (the page of <c>headroom serve</c>).</summary>
    All,
}

/// <summary>Renders an <see cref="InsightsReport"/> as a terminal table, CSV or JSON (HTML: <see cref="HtmlReport"/>).</summary>
public static partial class ReportRenderers
{
    /// <summary>The rows a view lists, ranked.</summary>
    public static IReadOnlyList<ResourceInsight> Rows(InsightsReport report, ReportView view)
    {
        ArgumentNullException.ThrowIfNull(report);
        return view == ReportView.Underused ? [.. report.Underused] : report.Resources;
    }

    /// <summary>A Spectre.Console table sorted by savings, with totals, and the summary line.</summary>
    public static void WriteTable(IAnsiConsole console, InsightsReport report, ReportView view)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        var rows = Rows(report, view);
        var title = view == ReportView.Underused
            ? $"Under-used resources, {report.FirstDay:yyyy-MM-dd} to {report.LastDay:yyyy-MM-dd} (profile {report.Options.Profile})"
            : $"Rightsizing ({report.Options.CpuStatisticName} of 5-minute CPU maxima + {report.Options.Margin:P0}), {report.FirstDay:yyyy-MM-dd} to {report.LastDay:yyyy-MM-dd}";
        var table = new Table().Title(Markup.Escape(title));
        if (view == ReportView.Underused)
        {
            table.AddColumns("resource", "name", "type", "rule", "low days", "avg CPU", "max CPU", "network/day", "action", "$/month", "savings/month");
            foreach (var r in rows)
            {
                table.AddRow(E(r.Resource.Key), E(r.Resource.Name), E(r.Resource.InstanceType), Rule(r.Underuse.Kind),
                    $"{r.Underuse.LowDays}/{r.Underuse.Days}", Pct(r.Underuse.CpuAverage), Pct(r.Underuse.CpuMax), Bytes(r.Underuse.NetworkBytesPerDay),
                    E(r.Action), Usd(r.MonthlyCost), Usd(r.MonthlySavings));
            }
            table.AddRow("[bold]total[/]", "", "", "", "", "", "", "", "", Usd(rows.Sum(static r => r.MonthlyCost)), "[bold]" + Usd(rows.Sum(static r => r.MonthlySavings)) + "[/]");
        }
        else
        {
            table.AddColumns("resource", "name", "type", "finding", $"CPU {report.Options.CpuStatisticName}", "max memory", "recommended", "risk", "action", "$/month", "savings/month");
            foreach (var r in rows)
            {
                var z = r.Rightsizing;
                table.AddRow(E(r.Resource.Key), E(r.Resource.Name), E(r.Resource.InstanceType), FindingName(z.Finding), Pct(z.CpuPeak), Pct(z.MemoryMax),
                    E(z.Recommended?.Name), z.Risk is { } risk ? RiskName(risk) : "", E(r.Action), Usd(r.MonthlyCost), Usd(r.MonthlySavings));
            }
            table.AddRow("[bold]total[/]", "", "", "", "", "", "", "", "", Usd(rows.Sum(static r => r.MonthlyCost)), "[bold]" + Usd(rows.Where(static r => r.MonthlySavings > 0).Sum(static r => r.MonthlySavings)) + "[/]");
        }
        console.Write(table);
        var s = report.Summary;
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{s.Resources} resources, {Usd(s.MonthlyCost)}/month; {s.Idle} idle, {s.LowUtilization} low utilization ({Usd(s.MonthlyWaste)}/month); " +
            $"{s.OverProvisioned} over-provisioned, {s.UnderProvisioned} under-provisioned, {s.Optimized} optimized, {s.InsufficientData} insufficient data; " +
            $"savings {Usd(s.MonthlySavings)}/month. Prices: {report.PriceSource}."));
        if (view == ReportView.Underused && rows.Count == 0)
            console.WriteLine("No resource is idle or under-used in the window.");
        if (report.ShortHistory is { } note)
            console.WriteLine(note);
        if (report.Sources is { Disagreements.Count: > 0 } sources)
            console.Write(SourceTable(sources));
    }

    /// <summary>
    /// CSV (RFC 4180): one line per resource of the view, a header first. The last columns are the resource's data-quality
    /// finding (its node_exporter and CloudWatch views disagree), empty when it has none.
    /// </summary>
    public static void WriteCsv(TextWriter output, InsightsReport report, ReportView view)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine("resource_key,name,account,region,instance_type,rule,days,low_days,cpu_avg,cpu_max,network_bytes_per_day,cpu_peak,memory_max,cpu_hours," +
                         "finding,recommended_type,risk,action,monthly_cost_usd,monthly_savings_usd,reasons," + SourceCsvColumns);
        foreach (var r in Rows(report, view))
        {
            var z = r.Rightsizing;
            string[] fields =
            [
                r.Resource.Key, r.Resource.Name ?? "", r.Resource.Account ?? "", r.Resource.Region ?? "", r.Resource.InstanceType ?? "",
                Rule(r.Underuse.Kind), I(r.Underuse.Days), I(r.Underuse.LowDays), D(r.Underuse.CpuAverage), D(r.Underuse.CpuMax), D(r.Underuse.NetworkBytesPerDay),
                D(z.CpuPeak), D(z.MemoryMax), I(z.CpuHours), FindingName(z.Finding), z.Recommended?.Name ?? "", z.Risk is { } risk ? RiskName(risk) : "",
                r.Action, M(r.MonthlyCost), M(r.MonthlySavings), string.Join("; ", z.Reasons), .. SourceCsvFields(report.Sources, r.Resource.Key),
            ];
            output.WriteLine(string.Join(',', fields.Select(Csv)));
        }
    }

    /// <summary>Indented JSON of the summary and the view's resources.</summary>
    public static string Json(InsightsReport report, ReportView view)
    {
        ArgumentNullException.ThrowIfNull(report);
        var document = new ReportDocument(view.ToString().ToLowerInvariant(), report.Options.Profile, report.FirstDay, report.LastDay, report.PriceSource, report.GeneratedAt,
            report.Options.CpuStatisticName, report.Options.Margin, report.Summary, Rows(report, view), report.Sources);
        return JsonSerializer.Serialize(document, InsightsJsonContext.Default.ReportDocument);
    }

    internal static string Rule(UnderuseKind kind) => kind switch
    {
        UnderuseKind.Idle => "idle",
        UnderuseKind.LowUtilization => "low utilization",
        UnderuseKind.InsufficientData => "insufficient data",
        _ => "",
    };

    internal static string FindingName(Finding finding) => finding switch
    {
        Finding.OverProvisioned => "over-provisioned",
        Finding.UnderProvisioned => "under-provisioned",
        Finding.Optimized => "optimized",
        Finding.InsufficientData => "insufficient data",
        _ => "unknown type",
    };

    internal static string RiskName(PerformanceRisk risk) => risk switch
    {
        PerformanceRisk.VeryLow => "very low",
        PerformanceRisk.Low => "low",
        PerformanceRisk.Medium => "medium",
        _ => "high",
    };

    /// <summary>Dollars as the reports write them: $1,234.56.</summary>
    public static string Usd(decimal value) => value.ToString("$#,##0.00;-$#,##0.00", CultureInfo.InvariantCulture);

    internal static string Pct(double? value) => value is { } v ? v.ToString("0.0%", CultureInfo.InvariantCulture) : "";

    internal static string Bytes(double? value) => value switch
    {
        null => "",
        >= 1e9 => (value.Value / 1e9).ToString("0.0 GB", CultureInfo.InvariantCulture),
        >= 1e6 => (value.Value / 1e6).ToString("0.0 MB", CultureInfo.InvariantCulture),
        _ => (value.Value / 1e3).ToString("0.0 kB", CultureInfo.InvariantCulture),
    };

    private static string E(string? text) => Markup.Escape(text ?? "");

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string D(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string M(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Csv(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>The JSON form of a report.</summary>
internal sealed record ReportDocument(
    string Report,
    string Profile,
    DateOnly FirstDay,
    DateOnly LastDay,
    string Prices,
    DateTimeOffset GeneratedAt,
    string CpuStatistic,
    double Margin,
    InsightsSummary Summary,
    IReadOnlyList<ResourceInsight> Resources,
    SourceCheck? DataQuality);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ReportDocument))]
internal sealed partial class InsightsJsonContext : JsonSerializerContext;

/// <summary>Shared text helpers.</summary>
internal static class Text
{
    public static StringBuilder AppendInvariant(this StringBuilder builder, FormattableString text) => builder.Append(text.ToString(CultureInfo.InvariantCulture));
}
