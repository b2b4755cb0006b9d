using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Headroom.Insights.Waste;

/// <summary>Renders a <see cref="WasteReport"/> as terminal tables, CSV or JSON (HTML: <see cref="WasteHtml"/>).</summary>
public static class WasteRenderers
{
    /// <summary>A table per kind (flagged and insufficient-data resources), the purchase options, and (unless <paramref name="summary"/> is false) one summary line per kind.</summary>
    public static void WriteTable(IAnsiConsole console, WasteReport report, bool summary = true)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        foreach (var section in report.Sections)
        {
            var rows = section.Findings.Where(static f => f.Verdict != WasteVerdict.Ok).ToList();
            if (rows.Count == 0)
                continue;
            var title = $"{section.Info.Title}, {section.Start:yyyy-MM-dd HH:mm} to {section.End:yyyy-MM-dd HH:mm} UTC (profile {section.Info.Profile}): {section.Info.Rule}";
            var table = new Table().Title(Markup.Escape(title));
            table.AddColumns("resource", "name", "region", "type", "verdict", "evidence", "action", "$/month", "savings/month", "price note");
            foreach (var f in rows)
            {
                table.AddRow(E(f.Resource.Key), E(f.Resource.Name), E(f.Resource.Region), E(f.Resource.InstanceType), WasteSection.Name(f.Verdict), E(f.Evidence), E(f.Action),
                    f.MonthlyCost is { } c ? ReportRenderers.Usd(c) : "", ReportRenderers.Usd(f.MonthlySavings), E(f.PriceNote));
            }
            table.AddRow("[bold]total[/]", "", "", "", "", "", "", "", "[bold]" + ReportRenderers.Usd(section.MonthlySavings) + "[/]", "");
            console.Write(table);
        }
        if (report.Purchase is { } purchase)
            WritePurchase(console, purchase);
        if (!summary)
            return;
        foreach (var line in SummaryLines(report))
            console.WriteLine(line);
    }

    /// <summary>One line per kind, the purchase options' line, and the total.</summary>
    public static IEnumerable<string> SummaryLines(WasteReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var section in report.Sections)
            yield return section.SummaryLine();
        if (report.Purchase is { } p)
            yield return p.SummaryLine();
        yield return $"Savings {ReportRenderers.Usd(report.MonthlySavings)}/month beyond EC2. Prices: {report.PriceSource}.";
    }

    private static void WritePurchase(IAnsiConsole console, PurchaseReport purchase)
    {
        var table = new Table().Title(Markup.Escape($"Purchase options, {purchase.Start:yyyy-MM-dd HH:mm} to {purchase.End:yyyy-MM-dd HH:mm} UTC (profile {purchase.Profile}): {purchase.Options.Plan}, {purchase.Options.Discount:P0} off"));
        table.AddColumns("region", "family", "instances", "hours", "units min/median/max", "$/unit-hour", "baseline $/h", "commit $/h", "break-even", "on-demand $/month", "savings/month", "note");
        foreach (var f in purchase.Families)
        {
            table.AddRow(E(f.Region), E(f.Family), I(f.Resources), I(f.Hours), $"{N(f.MinUnits)} / {N(f.MedianUnits)} / {N(f.MaxUnits)}", f.UnitHourlyUsd.ToString("0.0000", CultureInfo.InvariantCulture),
                f.BaselineHourlyUsd.ToString("0.0000", CultureInfo.InvariantCulture), f.CommitmentHourlyUsd.ToString("0.0000", CultureInfo.InvariantCulture),
                f.BreakEvenUtilization.ToString("0%", CultureInfo.InvariantCulture), ReportRenderers.Usd(f.MonthlyOnDemandUsd), ReportRenderers.Usd(f.MonthlySavings), E(f.Note));
        }
        console.Write(table);
        if (purchase.Spot.Count > 0)
        {
            var spot = new Table().Title("Spot candidates");
            spot.AddColumns("resource", "name", "type", "evidence", "on-demand $/month", "est. savings/month");
            foreach (var s in purchase.Spot)
                spot.AddRow(E(s.Resource.Key), E(s.Resource.Name), E(s.Resource.InstanceType), E(s.Evidence), ReportRenderers.Usd(s.MonthlyOnDemandUsd), ReportRenderers.Usd(s.MonthlySavings));
            console.Write(spot);
        }
        console.WriteLine("Method: " + purchase.Method);
        foreach (var note in purchase.Notes)
            console.WriteLine("Note: " + note);
    }

    /// <summary>The CSV header.</summary>
    public const string CsvHeader = "section,kind,resource_key,name,account,region,type,verdict,evidence,action,monthly_cost_usd,monthly_savings_usd,price_note,coverage";

    /// <summary>CSV (RFC 4180): one line per resource of every kind, then one per commitment (<c>purchase-commitment</c>) and Spot candidate (<c>purchase-spot</c>).</summary>
    public static void WriteCsv(TextWriter output, WasteReport report)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        output.WriteLine(CsvHeader);
        foreach (var section in report.Sections)
        {
            foreach (var f in section.Findings)
            {
                Line(output, section.Info.Profile, section.Info.Kind.ToString(), f.Resource.Key, f.Resource.Name, f.Resource.Account, f.Resource.Region, f.Resource.InstanceType,
                    WasteSection.Name(f.Verdict), f.Evidence, f.Action, f.MonthlyCost is { } c ? M(c) : "", M(f.MonthlySavings), f.PriceNote, f.Coverage.ToString("0.###", CultureInfo.InvariantCulture));
            }
        }
        if (report.Purchase is { } p)
        {
            foreach (var f in p.Families)
            {
                var evidence = string.Create(CultureInfo.InvariantCulture,
                    $"units min {f.MinUnits} median {f.MedianUnits} max {f.MaxUnits} over {f.Hours} h; ${f.UnitHourlyUsd}/unit-hour; baseline ${f.BaselineHourlyUsd}/h; commit ${f.CommitmentHourlyUsd}/h; break-even {f.BreakEvenUtilization:0%}");
                Line(output, "purchase-commitment", p.Options.Plan, $"{f.Region}/{f.Family}", "", "", f.Region, f.Family, f.Note is null ? "commit" : "insufficient data",
                    evidence, f.Note ?? $"commit ${f.CommitmentHourlyUsd.ToString("0.0000", CultureInfo.InvariantCulture)}/hour", M(f.MonthlyOnDemandUsd), M(f.MonthlySavings), f.Note, "");
            }
            foreach (var s in p.Spot)
            {
                Line(output, "purchase-spot", "Spot", s.Resource.Key, s.Resource.Name, s.Resource.Account, s.Resource.Region, s.Resource.InstanceType, "spot candidate",
                    s.Evidence, "run on Spot", M(s.MonthlyOnDemandUsd), M(s.MonthlySavings), $"assumes {p.Options.SpotDiscount:P0} off on-demand", s.PresentShare.ToString("0.###", CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>Indented JSON: options, every section with its findings and summary line, the purchase options.</summary>
    public static string Json(WasteReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var document = new WasteDocument(report.GeneratedAt, report.PriceSource, report.Options, report.MonthlySavings,
            [.. report.Sections.Select(static s => new SectionDocument(s.Info.Kind, s.Info.Profile, s.Info.Title, s.Info.Rule, s.Info.Source, s.Start, s.End, s.Note,
                s.SummaryLine(), s.Flagged, s.InsufficientData, s.MonthlySavings, s.Findings))],
            report.Purchase);
        return JsonSerializer.Serialize(document, WasteJsonContext.Default.WasteDocument);
    }

    private static void Line(TextWriter output, params string?[] fields) => output.WriteLine(string.Join(',', fields.Select(static f => Csv(f ?? ""))));

    private static string Csv(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string E(string? text) => Markup.Escape(text ?? "");

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string M(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}

internal sealed record SectionDocument(
    WasteKind Kind,
    string Profile,
    string Title,
    string Rule,
    string Source,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    string? Note,
    string Summary,
    int Flagged,
    int InsufficientData,
    decimal MonthlySavings,
    IReadOnlyList<WasteFinding> Findings);

internal sealed record WasteDocument(DateTimeOffset GeneratedAt, string Prices, WasteOptions Options, decimal MonthlySavings, IReadOnlyList<SectionDocument> Sections, PurchaseReport? Purchase);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(WasteDocument))]
internal sealed partial class WasteJsonContext : JsonSerializerContext;
