using System.Text.Json;
using Headroom.Testing;

namespace Headroom.Cli.Tests;

/// <summary>A SQLite warehouse with 12 synthetic resources over 15 days, shared by the report command tests.</summary>
public sealed class ReportWarehouse : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = System.IO.Directory.CreateTempSubdirectory("headroom-cli-report-");

    public string Directory => _directory.FullName;

    public string Url => "sqlite:" + Path.Combine(_directory.FullName, "w.db");

    public string EmptyUrl => "sqlite:" + Path.Combine(_directory.FullName, "empty.db");

    /// <summary>A warehouse after a first ETL run on a young source: the run succeeded and loaded nothing.</summary>
    public string AfterEmptyRunUrl => "sqlite:" + Path.Combine(_directory.FullName, "after-empty-run.db");

    public async Task InitializeAsync()
    {
        await using (var warehouse = await Warehouse.Warehouse.OpenAsync(Url))
        {
            await warehouse.MigrateAsync();
            await SyntheticUtilization.FillAsync(warehouse, 12, new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), 15 * 24);
        }
        await using (var empty = await Warehouse.Warehouse.OpenAsync(EmptyUrl))
            await empty.MigrateAsync();
        await using (var young = await Warehouse.Warehouse.OpenAsync(AfterEmptyRunUrl))
        {
            await young.MigrateAsync();
            var to = new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);
            var run = await young.StartRunAsync(new Warehouse.EtlRunStart("node", "http://127.0.0.1:9090", to.AddDays(-7), to));
            await young.FinishRunAsync(run, new Warehouse.EtlRunResult(Warehouse.EtlRunStatus.Succeeded, 0, 0));
        }
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class ReportCommandTests(ReportWarehouse fixture) : IClassFixture<ReportWarehouse>
{
    [Theory]
    [InlineData("underused", "--low-cpu", "Trusted Advisor")]
    [InlineData("rightsizing", "--statistic", "Compute Optimizer")]
    public async Task Help_lists_the_rules_flags(string report, string flag, string mention)
    {
        var result = await Cli.RunAsync("report", report, "--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--days", "--db", "--prices", "--format", "--out", "--margin", "--idle-cpu", "--low-days", "--low-network-mb", flag })
            Assert.Contains(option, result.Output, StringComparison.Ordinal);
        Assert.Contains(mention, result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--statistic", "p50" }, "p50")]
    [InlineData(new[] { "--days", "0" }, "--days must be between 1 and 366")]
    [InlineData(new[] { "--low-cpu", "150" }, "--low-cpu must be a percentage between 0 and 100")]
    [InlineData(new[] { "--format", "html" }, "--format html needs --out FILE")]
    [InlineData(new[] { "--out", "x.html" }, "--out is for --format html")]
    [InlineData(new[] { "--days", "3", "--low-days", "4" }, "--low-days (4) cannot exceed --days (3)")]
    [InlineData(new[] { "--format", "pdf" }, "pdf")]
    [InlineData(new[] { "--bogus" }, "--bogus")]
    public async Task Bad_flags_give_a_usage_error(string[] flags, string message)
    {
        var result = await Cli.RunAsync(["report", "underused", "--db", fixture.Url, .. flags]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("underused")]
    [InlineData("rightsizing")]
    public async Task A_window_shorter_than_the_default_low_days_lowers_them_to_the_window(string report)
    {
        var result = await Cli.RunAsync("report", report, "--db", fixture.Url, "--days", "2", "--format", "json");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("", result.Error);
        using var document = JsonDocument.Parse(result.Output);
        var first = DateOnly.Parse(document.RootElement.GetProperty("first_day").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(first.AddDays(1), DateOnly.Parse(document.RootElement.GetProperty("last_day").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Low_days_alone_are_checked_against_the_default_window()
    {
        var within = await Cli.RunAsync("report", "underused", "--db", fixture.Url, "--low-days", "5", "--format", "json");
        Assert.Equal(ExitCodes.Success, within.ExitCode);
        var beyond = await Cli.RunAsync("report", "underused", "--db", fixture.Url, "--low-days", "15");
        Assert.Equal(ExitCodes.Usage, beyond.ExitCode);
        Assert.Contains("--low-days (15) cannot exceed --days (14); lower --low-days or widen --days", beyond.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_warehouse_says_what_to_load()
    {
        var result = await Cli.RunAsync("report", "rightsizing", "--db", fixture.EmptyUrl);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has no 'cpu' data for profile 'node'", result.Error, StringComparison.Ordinal);
        Assert.Contains("headroom etl run", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_profile_the_warehouse_does_not_hold_is_answered_with_the_ones_it_does()
    {
        var result = await Cli.RunAsync("report", "rightsizing", "--db", fixture.Url, "--profile", "nodes");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has no 'cpu' data for profile 'nodes'", result.Error, StringComparison.Ordinal);
        Assert.Contains("it holds resources of profile 'node': pass e.g. --profile node", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_run_that_loaded_nothing_the_report_says_to_wait_not_to_load()
    {
        var result = await Cli.RunAsync("report", "underused", "--db", fixture.AfterEmptyRunUrl);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no 'node' data yet although the ETL has run", result.Error, StringComparison.Ordinal);
        Assert.Contains("up to 2026-11-30 06:00Z, 0 rows loaded", result.Error, StringComparison.Ordinal);
        Assert.Contains("again after its first complete hour ends", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("load it first", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_warehouse_file_is_not_created()
    {
        var path = Path.Combine(fixture.Directory, "absent.db");
        var result = await Cli.RunAsync("report", "underused", "--db", "sqlite:" + path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"no warehouse at {path}", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_bad_price_file_is_named_with_its_problem()
    {
        var prices = Path.Combine(fixture.Directory, "bad-prices.json");
        await File.WriteAllTextAsync(prices, "{\"products\": {\"A\": ");
        var result = await Cli.RunAsync("report", "rightsizing", "--db", fixture.Url, "--prices", prices);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"price file {prices}: not valid JSON", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Underused_table_lists_the_flagged_resources_by_savings_with_totals()
    {
        var result = await Cli.RunAsync("report", "underused", "--db", fixture.Url);
        Assert.Equal(0, result.ExitCode);
        // Resources 0 and 6 are idle, 1 and 7 under-used (kinds cycle every 6).
        foreach (var key in new[] { "syn-00000", "syn-00006", "syn-00001", "syn-00007" })
            Assert.Contains(key, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("syn-00002", result.Output, StringComparison.Ordinal);
        Assert.Contains("terminate", result.Output, StringComparison.Ordinal);
        Assert.Contains("total", result.Output, StringComparison.Ordinal);
        Assert.Contains("2 idle, 2 low utilization", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_and_csv_carry_the_same_resources()
    {
        var json = await Cli.RunAsync("report", "rightsizing", "--db", fixture.Url, "--format", "json", "--statistic", "max", "--margin", "30");
        Assert.Equal(0, json.ExitCode);
        using var document = JsonDocument.Parse(json.Output);
        var resources = document.RootElement.GetProperty("resources");
        Assert.Equal(12, resources.GetArrayLength());
        Assert.Equal("max", document.RootElement.GetProperty("cpu_statistic").GetString());
        Assert.Equal(0.3, document.RootElement.GetProperty("margin").GetDouble(), 9);
        var savings = resources.EnumerateArray().Select(r => r.GetProperty("monthly_savings").GetDecimal()).ToList();
        Assert.Equal(savings.OrderDescending(), savings);

        var csv = await Cli.RunAsync("report", "rightsizing", "--db", fixture.Url, "--format", "csv", "--statistic", "max", "--margin", "30");
        Assert.Equal(0, csv.ExitCode);
        var lines = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("resource_key,name,", lines[0], StringComparison.Ordinal);
        Assert.Equal(13, lines.Length);
        Assert.Equal(
            resources.EnumerateArray().Select(r => r.GetProperty("resource").GetProperty("key").GetString()),
            lines.Skip(1).Select(l => l.StartsWith('"') ? l[1..l.IndexOf("\",", StringComparison.Ordinal)].Replace("\"\"", "\"", StringComparison.Ordinal) : l.Split(',')[0]));
    }

    [Fact]
    public async Task Html_is_written_to_the_out_file()
    {
        var page = Path.Combine(fixture.Directory, "report.html");
        var result = await Cli.RunAsync("report", "underused", "--db", fixture.Url, "--format", "html", "--out", page);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"wrote {page}: 4 resources", result.Output, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(page);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Equal(4, html.Split("<figure class=\"chart\"").Length - 1);
    }
}
