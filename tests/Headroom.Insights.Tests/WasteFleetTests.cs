using System.Diagnostics;
using Headroom.Etl;
using Headroom.Fleet;
using Headroom.Fleet.Aws;
using Headroom.Insights.Waste;
using Headroom.Prometheus.Client;
using Headroom.Servers;
using Headroom.Warehouse;
using Xunit;

namespace Headroom.Insights.Tests;

/// <summary>
/// One simulated AWS account beyond EC2 (every kind, known truth), 9 days of YACE-named history → promtool blocks → a
/// real Prometheus → the ETL's built-in aws-* profiles into SQLite → the waste rules. Shared by the tests below.
/// </summary>
public sealed class WasteFleet : IAsyncLifetime
{
    public static readonly DateTimeOffset End = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    public const int Days = 9;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-waste-fleet-");

    public AwsFleet Fleet { get; } = AwsFleet.Create(5, End, TimeSpan.FromDays(3));

    public WasteReport Report { get; private set; } = null!;

    public IWarehouse Warehouse { get; private set; } = null!;

    public TimeSpan Took { get; private set; }

    public async Task InitializeAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var tsdb = Path.Combine(_directory.FullName, "tsdb");
        var start = End.AddDays(-Days);
        await Promtool.BackfillAsync(stream => FleetHistory.WriteGauges(Fleet.History("yace", "yace:5000"),
            new HistoryOptions(start, End, TimeSpan.FromMinutes(5), "yace"), stream), tsdb);
        await using var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d", ScrapeSelf = false });
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        Warehouse = await Headroom.Warehouse.Warehouse.OpenAsync("sqlite:" + Path.Combine(_directory.FullName, "headroom.db"));
        await Warehouse.MigrateAsync();
        var runner = new EtlRunner(Warehouse, new PrometheusClient(http, prometheus.BaseUri), new ExtractionOptions());
        foreach (var kind in AwsFleet.Kinds)
        {
            await runner.RunAsync(new EtlOptions
            {
                Profile = ProfileLoader.Load(kind),
                Source = "test",
                From = start.AddHours(1),
                To = End,
                UseRecordingRules = false,
            }, EtlMode.Backfill);
        }
        Report = await WasteEngine.RunAsync(Warehouse.Waste(), ServicePrices.BuiltIn, new WasteOptions { Days = Days - 1 });
        Took = stopwatch.Elapsed;
    }

    public async Task DisposeAsync()
    {
        await Warehouse.DisposeAsync();
        _directory.Delete(recursive: true);
    }
}

public sealed class WasteFleetTests(WasteFleet fixture) : IClassFixture<WasteFleet>
{
    private static readonly WasteKind[] AllKinds = Enum.GetValues<WasteKind>();

    public static TheoryData<WasteKind> Kinds => [.. AllKinds];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_rule_has_precision_and_recall_1_against_the_fleets_truth(WasteKind kind)
    {
        var section = fixture.Report.Sections.Single(s => s.Info.Kind == kind);
        var truth = fixture.Fleet.Resources.Where(r => r.Kind == section.Info.Profile).ToDictionary(r => $"name=\"{r.Arn}\"");
        var details = string.Join("\n", section.Findings.Select(f => $"{f.Resource.Key} [{truth[f.Resource.Key].Truth}: {truth[f.Resource.Key].Description}] {f.Verdict}: {f.Evidence}"));
        Assert.Null(section.Note);
        Assert.Equal(truth.Keys.Order(), section.Findings.Select(f => f.Resource.Key).Order());

        var judged = section.Findings.Where(f => truth[f.Resource.Key].Truth != AwsTruth.Late).ToList();
        var truePositives = judged.Count(f => f.IsFlagged && truth[f.Resource.Key].Truth == AwsTruth.Waste);
        var flagged = judged.Count(f => f.IsFlagged);
        var waste = truth.Values.Count(r => r.Truth == AwsTruth.Waste);
        Assert.True(flagged > 0 && waste > 0, details);
        var precision = (double)truePositives / flagged;
        var recall = (double)truePositives / waste;
        Assert.True(precision == 1 && recall == 1, $"{kind}: precision {precision:P0}, recall {recall:P0}\n{details}");
        // A resource created 3 days ago has too little history for a verdict, though its metrics look like waste.
        Assert.All(section.Findings.Where(f => truth[f.Resource.Key].Truth == AwsTruth.Late), f =>
        {
            Assert.Equal(WasteVerdict.InsufficientData, f.Verdict);
            Assert.Equal(0, f.MonthlySavings);
        });
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Waste_in_a_region_without_prices_is_flagged_with_no_saving_and_says_why(WasteKind kind)
    {
        var section = fixture.Report.Sections.Single(s => s.Info.Kind == kind);
        var unpriced = section.Findings.Single(f => f.Resource.Region == AwsFleet.UnpricedRegion);
        Assert.True(unpriced.IsFlagged, unpriced.Evidence);
        Assert.Null(unpriced.MonthlyCost);
        Assert.Equal(0, unpriced.MonthlySavings);
        Assert.Contains(AwsFleet.UnpricedRegion, unpriced.PriceNote, StringComparison.Ordinal);
    }

    [Fact]
    public void Savings_are_the_list_prices_of_what_is_flagged()
    {
        decimal Saving(WasteKind kind) => fixture.Report.Sections.Single(s => s.Info.Kind == kind).Findings
            .Single(f => f.IsFlagged && f.Resource.Region == AwsFleet.PricedRegion).MonthlySavings;
        Assert.Equal(16.43m, Saving(WasteKind.LoadBalancer));          // ALB $0.0225/h × 730
        Assert.Equal(40.00m, Saving(WasteKind.EbsVolume));             // 500 GiB gp3 × $0.08
        Assert.Equal(124.83m, Saving(WasteKind.RdsInstance));          // db.m5.large $0.171/h × 730
        Assert.Equal(227.76m, Saving(WasteKind.ElastiCacheCluster));   // 2 × cache.m5.large $0.156/h × 730
        Assert.Equal(1585.56m, Saving(WasteKind.RedshiftCluster));     // 2 × ra3.xlplus $1.086/h × 730
        Assert.Equal(32.85m, Saving(WasteKind.NatGateway));            // $0.045/h × 730
        var lambda = fixture.Report.Sections.Single(s => s.Info.Kind == WasteKind.LambdaFunction).Findings.Single(f => f.IsFlagged && f.Resource.Region == AwsFleet.PricedRegion);
        Assert.Contains("set memory to 192 MB", lambda.Action, StringComparison.Ordinal);
        Assert.InRange(lambda.MonthlySavings, 0.01m, lambda.MonthlyCost!.Value);
        var table = fixture.Report.Sections.Single(s => s.Info.Kind == WasteKind.DynamoDbTable).Findings.Single(f => f.IsFlagged && f.Resource.Region == AwsFleet.PricedRegion);
        // 100 RCU for a peak of 3/s (4 with margin) and 50 WCU for 1/s (2): at least 96 RCU and 48 WCU too many.
        Assert.InRange(table.MonthlySavings, (96 * 0.00013m + 47 * 0.00065m) * 730 - 0.01m, (97 * 0.00013m + 49 * 0.00065m) * 730 + 0.01m);
    }

    [Fact]
    public void One_summary_line_per_kind_adds_the_flagged_savings()
    {
        foreach (var section in fixture.Report.Sections)
        {
            var line = section.SummaryLine();
            Assert.StartsWith(section.Info.Title, line, StringComparison.Ordinal);
            Assert.Contains(ReportRenderers.Usd(section.Findings.Where(f => f.IsFlagged).Sum(f => f.MonthlySavings)), line, StringComparison.Ordinal);
        }
        Assert.True(fixture.Took < TimeSpan.FromSeconds(120), $"the fixture took {fixture.Took}");
    }
}
