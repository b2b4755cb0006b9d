using Headroom.Warehouse;

namespace Headroom.Insights.Waste;

/// <summary>What a waste rule says about a resource.</summary>
public enum WasteVerdict
{
    /// <summary>Not flagged.</summary>
    Ok,

    /// <summary>Idle: nothing uses it (no requests, connections or bytes).</summary>
    Idle,

    /// <summary>Under-used (an unattached or nearly unused volume; a Redshift cluster with low CPU).</summary>
    Underused,

    /// <summary>More capacity configured than used (Lambda memory, DynamoDB capacity).</summary>
    OverProvisioned,

    /// <summary>Not enough data for a verdict: no saving is claimed.</summary>
    InsufficientData,
}

/// <summary>One day (a 24-hour block ending with the window) of the value a rule judges, for charts.</summary>
public sealed record WasteDay(DateTimeOffset Start, double Value);

/// <summary>The verdict of a rule on one resource, with its evidence and its money.</summary>
/// <param name="Evidence">Why, in words, with the numbers and the threshold.</param>
/// <param name="Action">What to do (<c>delete</c>, <c>set memory to 512 MB</c>, …), or what is missing.</param>
/// <param name="MonthlyCost">The resource's monthly price, null when it cannot be priced.</param>
/// <param name="MonthlySavings">What the action saves a month; 0 when not flagged or not priced.</param>
/// <param name="PriceNote">Why there is no price (or what the price assumes), else null.</param>
/// <param name="Coverage">Share of the rule's hours the resource existed in the data (0..1).</param>
/// <param name="Measure">What <paramref name="Daily"/> measures, e.g. <c>requests/day</c>.</param>
public sealed record WasteFinding(
    WasteKind Kind,
    ReportResource Resource,
    WasteVerdict Verdict,
    string Evidence,
    string Action,
    decimal? MonthlyCost,
    decimal MonthlySavings,
    string? PriceNote,
    double Coverage,
    string Measure,
    IReadOnlyList<WasteDay> Daily)
{
    /// <summary>Flagged by the rule (idle, under-used or over-provisioned).</summary>
    public bool IsFlagged => Verdict is WasteVerdict.Idle or WasteVerdict.Underused or WasteVerdict.OverProvisioned;
}

/// <summary>The findings of one kind.</summary>
/// <param name="Start">The window's first hour.</param>
/// <param name="End">The hour after its last (exclusive); null when the profile has no data.</param>
/// <param name="Note">Said about the whole kind (no data loaded, a metric missing for every resource), else null.</param>
public sealed record WasteSection(WasteKindInfo Info, DateTimeOffset? Start, DateTimeOffset? End, IReadOnlyList<WasteFinding> Findings, string? Note)
{
    /// <summary>Flagged resources.</summary>
    public int Flagged => Findings.Count(static f => f.IsFlagged);

    /// <summary>Resources without a verdict.</summary>
    public int InsufficientData => Findings.Count(static f => f.Verdict == WasteVerdict.InsufficientData);

    /// <summary>Flagged resources that could not be priced.</summary>
    public int Unpriced => Findings.Count(static f => f.IsFlagged && f.MonthlyCost is null);

    /// <summary>The monthly saving of the flagged resources.</summary>
    public decimal MonthlySavings => Findings.Where(static f => f.IsFlagged).Sum(static f => f.MonthlySavings);

    /// <summary>One line: resources, flagged, insufficient data, unpriced, savings.</summary>
    public string SummaryLine()
    {
        if (Note is not null && Findings.Count == 0)
            return $"{Info.Title}: {Note}";
        var verdicts = Findings.Where(static f => f.IsFlagged).GroupBy(static f => f.Verdict).OrderBy(static g => g.Key)
            .Select(static g => $"{g.Count()} {Name(g.Key)}");
        var flagged = string.Join(", ", verdicts);
        return $"{Info.Title}: {Findings.Count} resources, {(flagged.Length == 0 ? "none flagged" : flagged)}, {InsufficientData} insufficient data"
            + (Unpriced > 0 ? $", {Unpriced} flagged without a price" : "")
            + $"; savings {ReportRenderers.Usd(MonthlySavings)}/month";
    }

    /// <summary>How a verdict reads.</summary>
    public static string Name(WasteVerdict verdict) => verdict switch
    {
        WasteVerdict.Idle => "idle",
        WasteVerdict.Underused => "under-used",
        WasteVerdict.OverProvisioned => "over-provisioned",
        WasteVerdict.InsufficientData => "insufficient data",
        _ => "ok",
    };
}

/// <summary>The waste report: a section per kind, and the purchase options.</summary>
public sealed record WasteReport(WasteOptions Options, string PriceSource, DateTimeOffset GeneratedAt, IReadOnlyList<WasteSection> Sections, PurchaseReport? Purchase)
{
    /// <summary>Savings of every section.</summary>
    public decimal MonthlySavings => Sections.Sum(static s => s.MonthlySavings);
}
