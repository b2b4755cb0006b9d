using System.Text.Json;
using Headroom.Testing;
using Headroom.Warehouse;
using Spectre.Console;

namespace Headroom.Insights.Tests;

/// <summary>The data-quality finding (node_exporter and CloudWatch disagree about a host) in each format of the report.</summary>
public sealed class SourceCheckRenderingTests : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-insights-sources-");
    private InsightsReport _report = null!;
    private AgreementFinding _finding = null!;

    public async Task InitializeAsync()
    {
        await using var warehouse = await Warehouse.Warehouse.OpenAsync("sqlite:" + Path.Combine(_directory.FullName, "w.db"));
        await warehouse.MigrateAsync();
        await SyntheticUtilization.FillAsync(warehouse, 6, new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), 3 * 24);
        _report = await InsightsEngine.RunAsync(warehouse.Reports(), PriceCatalog.BuiltIn, new InsightsOptions { Days = 3, LowDays = 1 }, withDaily: true);
        var host = _report.Resources[^1].Resource.Key;
        _finding = new AgreementFinding("i-0123456789abcdef0", host, "name=\"arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0\"", 72, 5,
            new DateTimeOffset(2026, 10, 2, 13, 0, 0, TimeSpan.Zero), 0.125, 0.5);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private InsightsReport Checked => _report with { Sources = new SourceCheck(0.1, "node", "aws-ec2", [_finding]) };

    [Fact]
    public void Every_format_shows_the_host_its_instance_id_the_hours_and_both_values()
    {
        var csv = new StringWriter();
        ReportRenderers.WriteCsv(csv, Checked, ReportView.Rightsizing);
        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(",reasons,instance_id,cpu_tolerance,hours_compared,hours_disagreeing,worst_hour,node_exporter_cpu,cloudwatch_cpu", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(",i-0123456789abcdef0,0.1,72,5,2026-10-02T13:00:00Z,0.125,0.5", Assert.Single(lines, l => l.Contains("i-0123456789abcdef0", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(_report.Resources.Count - 1, lines.Count(l => l.EndsWith(",,0.1,,,,,", StringComparison.Ordinal)));

        using var json = JsonDocument.Parse(ReportRenderers.Json(Checked, ReportView.Underused));
        var quality = json.RootElement.GetProperty("data_quality");
        Assert.Equal(0.1, quality.GetProperty("cpu_tolerance").GetDouble());
        var f = Assert.Single(quality.GetProperty("disagreements").EnumerateArray());
        Assert.Equal(("i-0123456789abcdef0", _finding.HostResource, 72, 5, 0.125, 0.5),
            (f.GetProperty("instance_id").GetString(), f.GetProperty("host_resource").GetString(), f.GetProperty("hours_compared").GetInt32(),
             f.GetProperty("hours_disagreeing").GetInt32(), f.GetProperty("host_cpu").GetDouble(), f.GetProperty("cloud_cpu").GetDouble()));

        var html = HtmlReport.Render(Checked, ReportView.Underused);
        Assert.Contains("<section id=\"data-quality\">", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-instance=\"i-0123456789abcdef0\"", html, StringComparison.Ordinal);
        Assert.Contains("<td>5 of 72</td><td>2026-10-02 13:00</td><td class=\"n\">12.5%</td><td class=\"n\">50.0%</td><td class=\"n\">+37.5%</td>", html, StringComparison.Ordinal);

        var table = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(table), ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 400;
        ReportRenderers.WriteTable(console, Checked, ReportView.Underused);
        Assert.Contains("disagree about 1 host: hourly CPU differs by more than 10.0%", table.ToString(), StringComparison.Ordinal);
        Assert.Contains("│ i-0123456789abcdef0 │ 5 of 72 ", table.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_check_or_a_disagreement_nothing_is_shown_and_the_csv_columns_stay_empty()
    {
        var agreeing = _report with { Sources = new SourceCheck(0.1, "node", "aws-ec2", []) };
        Assert.DoesNotContain("data-quality", HtmlReport.Render(agreeing, ReportView.All), StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(ReportRenderers.Json(_report, ReportView.Rightsizing)))
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("data_quality").ValueKind);
        var csv = new StringWriter();
        ReportRenderers.WriteCsv(csv, _report, ReportView.Rightsizing);
        Assert.All(csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1), l => Assert.EndsWith(",,,,,,,", l, StringComparison.Ordinal));
    }
}
