using Headroom.Warehouse;

namespace Headroom.Insights.Waste;

/// <summary>Assumptions of the purchase options; replace the discounts with the rates AWS quotes your account.</summary>
public sealed record PurchaseOptions
{
    /// <summary>The commitment priced: its name in reports. Default a 1-year EC2 Instance Savings Plan, no upfront.</summary>
    public string Plan { get; init; } = "1-year EC2 Instance Savings Plan, no upfront";

    /// <summary>The plan's discount against on-demand (0.28 = 28%). Default 0.28, a typical 1-year no-upfront rate for current families.</summary>
    public double Discount { get; init; } = 0.28;

    /// <summary>Spot's discount against on-demand used for the estimate. Default 0.6 (AWS quotes "up to 90%"; 60% is a cautious middle).</summary>
    public double SpotDiscount { get; init; } = 0.6;

    /// <summary>A commitment is recommended only from at least this many days of history. Default 7.</summary>
    public int MinDays { get; init; } = 7;

    /// <summary>Spot candidate: present in less than this share of the window's hours (part-time) … Default 0.5.</summary>
    public double PartTimeShare { get; init; } = 0.5;

    /// <summary>… or an hourly CPU peak at least this many times its mean (bursty). Default 3.</summary>
    public double BurstRatio { get; init; } = 3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (Discount is <= 0 or >= 1)
            throw new ArgumentException($"the commitment discount must be between 0 and 100% (exclusive), got {Discount:P0}");
        if (SpotDiscount is <= 0 or >= 1)
            throw new ArgumentException($"the Spot discount must be between 0 and 100% (exclusive), got {SpotDiscount:P0}");
        if (MinDays < 1)
            throw new ArgumentException($"the minimum of days must be at least 1, got {MinDays}");
    }
}

/// <summary>The always-on baseline of one family in one region and the commitment that covers it.</summary>
/// <param name="Hours">Hours of the window with data for the profile.</param>
/// <param name="MinUnits">Normalised units running in the emptiest hour: the always-on baseline.</param>
/// <param name="UnitHourlyUsd">On-demand price of one normalised unit an hour (the cheapest of the running types).</param>
/// <param name="BaselineHourlyUsd">On-demand price of the baseline an hour.</param>
/// <param name="CommitmentHourlyUsd">The recommended commitment: the baseline at the plan's rate, per hour.</param>
/// <param name="MonthlySavings">Baseline × discount × 730.</param>
/// <param name="BreakEvenUtilization">The share of the commitment that must be used for it to cost no more than on-demand (1 − discount).</param>
/// <param name="HourlyUnits">Normalised units running each hour (for the chart).</param>
/// <param name="Note">Why there is no recommendation, else null.</param>
public sealed record FamilyCommitment(
    string Region,
    string Family,
    int Resources,
    int Hours,
    double MinUnits,
    double MedianUnits,
    double MaxUnits,
    decimal UnitHourlyUsd,
    decimal BaselineHourlyUsd,
    decimal CommitmentHourlyUsd,
    decimal MonthlyOnDemandUsd,
    decimal MonthlySavings,
    double BreakEvenUtilization,
    IReadOnlyList<double> HourlyUnits,
    string? Note);

/// <summary>A resource whose use is part-time or bursty and whose owner marked it interruptible.</summary>
/// <param name="PresentShare">Share of the window's hours it ran.</param>
/// <param name="PeakToMean">Its hourly CPU peak over its mean CPU.</param>
/// <param name="MonthlyOnDemandUsd">On-demand price of its running hours, a month.</param>
/// <param name="MonthlySavings">That × the assumed Spot discount.</param>
public sealed record SpotCandidate(ReportResource Resource, double PresentShare, double PeakToMean, decimal MonthlyOnDemandUsd, decimal MonthlySavings, string Evidence);

/// <summary>Purchase options: commitments for the always-on baseline, Spot for interruptible bursts.</summary>
/// <param name="Method">How the numbers were computed, in words.</param>
/// <param name="Notes">Resources left out and why (unknown type, no price for the region, …).</param>
public sealed record PurchaseReport(
    PurchaseOptions Options,
    string Profile,
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyList<FamilyCommitment> Families,
    IReadOnlyList<SpotCandidate> Spot,
    IReadOnlyList<string> Notes,
    string Method)
{
    /// <summary>Savings of the recommended commitments.</summary>
    public decimal CommitmentSavings => Families.Sum(static f => f.MonthlySavings);

    /// <summary>Estimated savings of moving the Spot candidates.</summary>
    public decimal SpotSavings => Spot.Sum(static s => s.MonthlySavings);

    /// <summary>One line of totals.</summary>
    public string SummaryLine() =>
        $"Purchase options: {Families.Count(static f => f.Note is null)} commitments ({ReportRenderers.Usd(Families.Sum(static f => f.CommitmentHourlyUsd))}/hour), "
        + $"savings {ReportRenderers.Usd(CommitmentSavings)}/month; {Spot.Count} Spot candidates, est. savings {ReportRenderers.Usd(SpotSavings)}/month";
}
