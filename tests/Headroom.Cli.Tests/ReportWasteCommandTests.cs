using System.Text.Json;
using Headroom.Testing;
using Headroom.Warehouse;

namespace Headroom.Cli.Tests;

/// <summary>
/// A SQLite warehouse with 12 synthetic EC2 instances (aws-ec2) and two NAT gateways (aws-nat) over 15 days: one
/// moving no byte, one busy. Shared by the <c>report waste</c> tests.
/// </summary>
public sealed class WasteWarehouse : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _directory = System.IO.Directory.CreateTempSubdirectory("headroom-cli-waste-");

    public string Directory => _directory.FullName;

    public string Url => "sqlite:" + Path.Combine(_directory.FullName, "w.db");

    public string EmptyUrl => "sqlite:" + Path.Combine(_directory.FullName, "empty.db");

    public async Task InitializeAsync()
    {
        await using (var warehouse = await Warehouse.Warehouse.OpenAsync(Url))
        {
            await warehouse.MigrateAsync();
            await SyntheticUtilization.FillAsync(warehouse, 12, Start, 15 * 24, profile: "aws-ec2", dimensions: ["cpu"]);
            var end = Start.AddDays(15);
            var run = await warehouse.StartRunAsync(new EtlRunStart("aws-nat", "test", Start, end));
            var gateways = new[] { ("idle", 0.0), ("busy", 5000.0) };
            var resources = gateways.Select(g => new ResourceRecord($"name=\"arn:aws:ec2:us-east-1:1:natgateway/nat-{g.Item1}\"",
                new Dictionary<string, string> { ["name"] = $"arn:aws:ec2:us-east-1:1:natgateway/nat-{g.Item1}" }, Start, end.AddHours(-1))
            { Region = "us-east-1", Account = "1", Name = g.Item1 }).ToList();
            var rows = new List<HourlyUtilization>();
            for (var hour = Start; hour < end; hour = hour.AddHours(1))
            {
                foreach (var (r, (_, bytes)) in resources.Zip(gateways))
                {
                    rows.Add(new HourlyUtilization(r.Key, "present", hour, 1, 1, 1, 1, 1, 12, 12));
                    rows.Add(new HourlyUtilization(r.Key, "bytes", hour, bytes, bytes, bytes, bytes, bytes, 12, 12));
                }
            }
            await warehouse.CommitWindowAsync(new WindowCommit(run, "aws-nat", "test", Start, end) { Resources = resources, Hourly = rows });
            await warehouse.FinishRunAsync(run, new EtlRunResult(EtlRunStatus.Succeeded, rows.Count, 0));
        }
        await using (var empty = await Warehouse.Warehouse.OpenAsync(EmptyUrl))
            await empty.MigrateAsync();
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class ReportWasteCommandTests(WasteWarehouse fixture) : IClassFixture<WasteWarehouse>
{
    [Fact]
    public async Task Help_lists_the_flags_and_the_rules_sources()
    {
        var result = await Cli.RunAsync("report", "waste", "--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--db", "--days", "--idle-days", "--kind", "--service-prices", "--prices", "--region", "--purchase-profile", "--commitment-discount", "--spot-discount", "--format", "--out", "--margin" })
            Assert.Contains(option, result.Output, StringComparison.Ordinal);
        Assert.Contains("100 requests a day", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--kind", "aws-s3" }, "aws-s3")]
    [InlineData(new[] { "--days", "5", "--idle-days", "7" }, "--idle-days (7) cannot exceed --days (5)")]
    [InlineData(new[] { "--commitment-discount", "100" }, "--commitment-discount must be a percentage above 0 and below 100")]
    [InlineData(new[] { "--format", "html" }, "--format html needs --out FILE")]
    public async Task Bad_flags_give_a_usage_error(string[] flags, string message)
    {
        var result = await Cli.RunAsync(["report", "waste", "--db", fixture.Url, .. flags]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_window_shorter_than_the_default_idle_days_lowers_them_to_the_window()
    {
        var result = await Cli.RunAsync("report", "waste", "--db", fixture.Url, "--days", "2", "--format", "json");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("", result.Error);
        using var document = JsonDocument.Parse(result.Output);
        var nat = document.RootElement.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("profile").GetString() == "aws-nat");
        Assert.Equal(1, nat.GetProperty("flagged").GetInt32());
    }

    [Fact]
    public async Task Idle_days_alone_are_checked_against_the_default_window()
    {
        var within = await Cli.RunAsync("report", "waste", "--db", fixture.Url, "--idle-days", "10", "--format", "json");
        Assert.Equal(ExitCodes.Success, within.ExitCode);
        var beyond = await Cli.RunAsync("report", "waste", "--db", fixture.Url, "--idle-days", "15");
        Assert.Equal(ExitCodes.Usage, beyond.ExitCode);
        Assert.Contains("--idle-days (15) cannot exceed --days (14); lower --idle-days or widen --days", beyond.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_warehouse_says_what_to_load()
    {
        var result = await Cli.RunAsync("report", "waste", "--db", fixture.EmptyUrl);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has no data for any of the profiles", result.Error, StringComparison.Ordinal);
        Assert.Contains("headroom etl run --profile", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_service_price_file_is_named_with_its_problem()
    {
        var prices = Path.Combine(fixture.Directory, "bad-services.csv");
        await File.WriteAllTextAsync(prices, "region,service,type,unit,price_usd\nus-east-1,nat,gateway,week,1\n");
        var result = await Cli.RunAsync("report", "waste", "--db", fixture.Url, "--service-prices", prices);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"price file {prices}: line 2: unit 'week'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rightsizing_a_profile_without_cpu_points_to_report_waste()
    {
        var result = await Cli.RunAsync("report", "rightsizing", "--db", fixture.Url, "--profile", "aws-nat");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("profile 'aws-nat' holds NAT gateways, which have no CPU to rightsize by: 'headroom report waste --kind aws-nat' reports them",
            result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_table_has_a_section_per_kind_a_summary_line_each_and_the_purchase_options()
    {
        var result = await Cli.RunAsync("report", "waste", "--db", fixture.Url);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("nat-idle", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("nat-busy", result.Output, StringComparison.Ordinal);
        Assert.Contains("NAT gateways: 2 resources, 1 idle, 0 insufficient data; savings $32.85/month", result.Output, StringComparison.Ordinal);
        // Kinds that were not loaded say so, with the command that loads them.
        Assert.Contains("Load balancers: no data for profile aws-elb", result.Output, StringComparison.Ordinal);
        Assert.Contains("Purchase options:", result.Output, StringComparison.Ordinal);
        Assert.Contains("Method:", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_csv_and_html_carry_the_same_findings()
    {
        var json = await Cli.RunAsync("report", "waste", "--db", fixture.Url, "--format", "json");
        Assert.Equal(0, json.ExitCode);
        using var document = JsonDocument.Parse(json.Output);
        var sections = document.RootElement.GetProperty("sections");
        Assert.Equal(8, sections.GetArrayLength());
        var nat = sections.EnumerateArray().Single(s => s.GetProperty("profile").GetString() == "aws-nat");
        Assert.Equal(1, nat.GetProperty("flagged").GetInt32());
        Assert.Equal(32.85m, nat.GetProperty("monthly_savings").GetDecimal());
        var families = document.RootElement.GetProperty("purchase").GetProperty("families");
        Assert.True(families.GetArrayLength() > 0);

        var csv = await Cli.RunAsync("report", "waste", "--db", fixture.Url, "--format", "csv");
        Assert.Equal(0, csv.ExitCode);
        var lines = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("section,kind,resource_key", lines[0], StringComparison.Ordinal);
        Assert.Single(lines, l => l.StartsWith("aws-nat,", StringComparison.Ordinal) && l.Contains(",idle,", StringComparison.Ordinal));
        Assert.Equal(families.GetArrayLength(), lines.Count(l => l.StartsWith("purchase-commitment,", StringComparison.Ordinal)));

        var page = Path.Combine(fixture.Directory, "waste.html");
        var html = await Cli.RunAsync("report", "waste", "--db", fixture.Url, "--format", "html", "--out", page);
        Assert.Equal(0, html.ExitCode);
        var text = await File.ReadAllTextAsync(page);
        Assert.Contains("id=\"aws-nat\"", text, StringComparison.Ordinal);
        Assert.Contains("id=\"purchase\"", text, StringComparison.Ordinal);
        Assert.True(text.Split("<svg").Length - 1 >= 1 + families.GetArrayLength(), "a chart per flagged resource and per family");
        Assert.DoesNotContain("<script", text, StringComparison.Ordinal);
    }
}
