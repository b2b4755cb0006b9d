using Headroom.Warehouse;

namespace Headroom.Insights.Tests;

/// <summary>Hosts no catalog lists get a monthly cost from a label or a price file of name patterns, so idle ones save money.</summary>
public sealed class HostPricesTests : IDisposable
{
    private static readonly InsightsOptions Defaults = new();
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"headroom-host-prices-{Guid.NewGuid():N}.csv");

    public void Dispose() => File.Delete(_file);

    private static ReportResource Host(string key, string? name, string? type = null) => new(key, name, null, null, type);

    // An idle host: 14 days at 0.4 % CPU (the idle rule is a maximum ≤ 1 %).
    private static (LowUtilizationRow Low, PeakUsageRow Peak) Idle(ReportResource resource) =>
        (new LowUtilizationRow(resource, 14, 14, 14, 0.004, 0.005, 1e6, 336), new PeakUsageRow(resource, 336, 0.005, 0.005, 0.004, 336, 0.2));

    private HostPrices Load(string text)
    {
        File.WriteAllText(_file, text);
        return HostPrices.Load(_file);
    }

    [Fact]
    public void Patterns_match_the_name_then_the_key_first_pattern_first_case_insensitively()
    {
        var prices = Load("# on-premises\nname_pattern,price_per_month\ndb-*,450\nDB-1,999\nci-runner-?,120\n*:9100*,80\n");
        Assert.Equal((450m, "host price 'db-*'"), prices.Find(Host("k1", "db-1")));
        Assert.Equal(120m, prices.Find(Host("k2", "CI-RUNNER-7"))!.Value.Monthly);
        Assert.Null(prices.Find(Host("k3", "ci-runner-17")));
        Assert.Equal(80m, prices.Find(Host("instance=\"10.0.0.9:9100\"", null))!.Value.Monthly);
    }

    [Fact]
    public void A_monthly_cost_label_wins_over_the_file()
    {
        var prices = Load("name_pattern,price_per_month\ndb-*,450\n").WithResources(new Dictionary<string, decimal> { ["k1"] = 300m });
        Assert.Equal((300m, "monthly_cost label"), prices.Find(Host("k1", "db-1")));
        Assert.Equal(450m, prices.Find(Host("k2", "db-2"))!.Value.Monthly);
    }

    [Theory]
    [InlineData("instance_type,price\nx,1\n", "line 1: expected the header 'name_pattern,price_per_month'")]
    [InlineData("name_pattern,price_per_month\ndb-*\n", "line 2: expected a name pattern and a monthly price")]
    [InlineData("name_pattern,price_per_month\ndb-*,-3\n", "line 2: price_per_month '-3' is not a number")]
    [InlineData("name_pattern,price_per_month\n", "the file lists no pattern")]
    public void Bad_files_name_the_line_and_the_fix(string text, string message)
    {
        var e = Assert.Throws<PriceFileException>(() => Load(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains(_file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_idle_host_priced_per_host_saves_its_monthly_cost_and_an_unknown_one_gets_the_hint()
    {
        var priced = Idle(Host("a", "db-1"));
        var unknown = Idle(Host("b", "build-3"));
        var typed = Idle(Host("c", "web-1", "m5.large"));
        var catalog = new PriceCatalog(PriceCatalog.BuiltIn.Offers, PriceCatalog.BuiltIn.Source) { Hosts = Load("name_pattern,price_per_month\ndb-*,450\n") };
        var rows = InsightsEngine.Build([priced.Low, unknown.Low, typed.Low], [priced.Peak, unknown.Peak, typed.Peak], catalog, Defaults);

        var db = rows.Single(r => r.Resource.Key == "a");
        Assert.Equal(UnderuseKind.Idle, db.Underuse.Kind);
        Assert.Equal(("terminate", 450m, 450m), (db.Action, db.MonthlyCost, db.MonthlySavings));
        var build = rows.Single(r => r.Resource.Key == "b");
        Assert.Equal((0m, 0m), (build.MonthlyCost, build.MonthlySavings));
        // Idle wins the action, with nothing to save: no price.
        Assert.Equal("terminate", build.Action);
        var web = rows.Single(r => r.Resource.Key == "c");
        Assert.Equal(PriceCatalog.BuiltIn.Find("m5.large")!.MonthlyUsd, web.MonthlySavings);
    }

    [Fact]
    public void A_host_with_no_type_and_no_cost_that_is_not_idle_is_told_what_to_add()
    {
        var resource = Host("b", "build-3");
        var busy = new PeakUsageRow(resource, 336, 0.7, 0.8, 0.5, 336, 0.6);
        var row = Assert.Single(InsightsEngine.Build([new LowUtilizationRow(resource, 14, 0, 14, 0.5, 0.8, 1e9, 336)], [busy], PriceCatalog.BuiltIn, Defaults));
        Assert.Equal(InsightsEngine.UnknownTypeHint, row.Action);
        Assert.Contains("docs/etl.md", row.Action, StringComparison.Ordinal);
    }

    [Fact]
    public void A_report_on_a_short_history_says_what_it_is_based_on()
    {
        var report = new InsightsReport(Defaults, new DateOnly(2026, 11, 30), new DateOnly(2026, 11, 30), "p", DateTimeOffset.UnixEpoch, [], new InsightsSummary(0, 0, 0m, 0, 0, 0m, 0m, 0m, 0, 0, 0, 0), new Dictionary<string, IReadOnlyList<DailyPoint>>())
        {
            HoursOfData = 5,
        };
        Assert.StartsWith("Based on 5 hours of data, less than the 14-day window", report.ShortHistory, StringComparison.Ordinal);
        Assert.Null((report with { HoursOfData = 14 * 24 }).ShortHistory);
    }
}
