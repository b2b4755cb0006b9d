using Headroom.Insights.Waste;
using Headroom.Warehouse;
using Xunit;

namespace Headroom.Insights.Tests;

public sealed class PurchasePlannerTests
{
    private static readonly DateTimeOffset End = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static (WasteResource, List<WasteHour>) Instance(string id, string type, DateTimeOffset start, Func<DateTimeOffset, double?> cpu,
        string region = "us-east-1", bool interruptible = false)
    {
        var resource = new WasteResource(new ReportResource(id, id, "1", region, type),
            interruptible ? new Dictionary<string, string> { ["tag_interruptible"] = "true" } : [], start, End);
        var hours = new List<WasteHour>();
        for (var t = start; t < End; t = t.AddHours(1))
        {
            if (cpu(t) is { } v)
                hours.Add(new WasteHour(id, "cpu", t, v, v, 12));
        }
        return (resource, hours);
    }

    private static PurchaseReport Plan(int days, params (WasteResource R, List<WasteHour> H)[] instances) =>
        PurchasePlanner.Plan("aws-ec2", [.. instances.Select(i => i.R)], [.. instances.SelectMany(i => i.H)], PriceCatalog.BuiltIn, "us-east-1",
            End.AddDays(-days), End, new PurchaseOptions());

    [Theory]
    [InlineData("m5.large", 4.0)]
    [InlineData("m5.xlarge", 8.0)]
    [InlineData("m5.4xlarge", 32.0)]
    [InlineData("t3.nano", 0.25)]
    [InlineData("t3.medium", 2.0)]
    public void Sizes_normalise_as_aws_counts_them(string type, double units) =>
        Assert.Equal(units, PurchasePlanner.NormalizationFactor(type));

    [Fact]
    public void The_baseline_is_the_emptiest_hours_units_and_the_commitment_covers_it_at_the_discount()
    {
        var start = End.AddDays(-14);
        // Always on: one m5.2xlarge (16 units) and one m5.large (4); by day only: two m5.xlarge (16 more).
        var plan = Plan(14,
            Instance("a", "m5.2xlarge", start, _ => 0.3),
            Instance("b", "m5.large", start, _ => 0.3),
            Instance("c", "m5.xlarge", start, t => t.Hour is >= 8 and < 20 ? 0.5 : null),
            Instance("d", "m5.xlarge", start, t => t.Hour is >= 8 and < 20 ? 0.5 : null));
        var m5 = Assert.Single(plan.Families);
        Assert.Null(m5.Note);
        Assert.Equal(20, m5.MinUnits);
        Assert.Equal(36, m5.MaxUnits);
        Assert.Equal(336, m5.Hours);
        // m5.large $0.096/h is 4 units: $0.024 a unit-hour. Baseline 20 units = $0.48/h; at 28% off, $0.3456/h committed.
        Assert.Equal(0.024m, m5.UnitHourlyUsd);
        Assert.Equal(0.48m, m5.BaselineHourlyUsd);
        Assert.Equal(0.3456m, m5.CommitmentHourlyUsd);
        Assert.Equal(98.11m, m5.MonthlySavings); // 0.48 × 0.28 × 730 = 98.112
        Assert.Equal(0.72, m5.BreakEvenUtilization, 6);
        Assert.Empty(plan.Spot);
    }

    [Fact]
    public void Too_little_history_or_no_always_on_hour_recommends_nothing()
    {
        var short_ = Plan(3, Instance("a", "m5.large", End.AddDays(-3), _ => 0.3));
        Assert.Contains("insufficient data: 72 hours of history (needs 168)", short_.Families.Single().Note, StringComparison.Ordinal);
        Assert.Equal(0, short_.CommitmentSavings);
        var start = End.AddDays(-14);
        var gap = Plan(14, Instance("a", "m5.large", start, t => t.Day == 10 ? null : 0.3), Instance("b", "c5.large", start, _ => 0.3));
        Assert.Contains("no always-on baseline", gap.Families.Single(f => f.Family == "m5").Note, StringComparison.Ordinal);
        Assert.Equal(0, gap.Families.Single(f => f.Family == "m5").MonthlySavings);
    }

    [Fact]
    public void Instances_in_a_region_without_prices_or_of_unknown_types_are_left_out_and_said()
    {
        var start = End.AddDays(-14);
        var plan = Plan(14, Instance("a", "m5.large", start, _ => 0.3, region: "eu-west-1"), Instance("b", "x9.mega", start, _ => 0.3));
        Assert.Empty(plan.Families);
        Assert.Contains(plan.Notes, n => n.Contains("no prices for their region", StringComparison.Ordinal));
        Assert.Contains(plan.Notes, n => n.Contains("type is not in", StringComparison.Ordinal));
    }

    [Fact]
    public void Interruptible_part_time_or_bursty_instances_are_spot_candidates()
    {
        var start = End.AddDays(-14);
        var plan = Plan(14,
            Instance("steady", "m5.large", start, _ => 0.3),
            Instance("batch", "c5.xlarge", start, t => t.Hour < 4 ? 0.9 : null, interruptible: true),
            Instance("bursty", "c5.large", start, t => t.Hour == 3 ? 0.9 : 0.05, interruptible: true),
            Instance("untagged", "c5.large", start, t => t.Hour < 4 ? 0.9 : null));
        Assert.Equal(["batch", "bursty"], plan.Spot.Select(s => s.Resource.Key).Order());
        var batch = plan.Spot.Single(s => s.Resource.Key == "batch");
        Assert.Equal(4.0 / 24, batch.PresentShare, 3);
        // c5.xlarge $0.17/h × 730 × 1/6 of the hours × 60%.
        Assert.Equal(decimal.Round(0.17m * 730 / 6, 2), batch.MonthlyOnDemandUsd);
        Assert.Contains("part-time", batch.Evidence, StringComparison.Ordinal);
        Assert.Contains("bursty", plan.Spot.Single(s => s.Resource.Key == "bursty").Evidence, StringComparison.Ordinal);
        Assert.Contains("emptiest hour", plan.Method, StringComparison.Ordinal);
    }
}
