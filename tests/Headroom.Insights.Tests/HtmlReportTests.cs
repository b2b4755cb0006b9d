using System.Diagnostics;
using System.Text.RegularExpressions;
using Headroom.Testing;
using Headroom.Warehouse;

namespace Headroom.Insights.Tests;

/// <summary>The HTML page rendered by a real headless Chromium: screenshot, DOM, and no console messages.</summary>
public sealed partial class HtmlReportTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-insights-html-");
    private InsightsReport _report = null!;

    public async Task InitializeAsync()
    {
        await using var warehouse = await Warehouse.Warehouse.OpenAsync("sqlite:" + Path.Combine(_directory.FullName, "w.db"));
        await warehouse.MigrateAsync();
        await SyntheticUtilization.FillAsync(warehouse, 18, new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), 15 * 24);
        _report = await InsightsEngine.RunAsync(warehouse.Reports(), PriceCatalog.BuiltIn, new InsightsOptions(), withDaily: true);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Page_is_self_contained()
    {
        var html = HtmlReport.Render(_report, ReportView.All);
        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("id=\"monthly-cost\"", html, StringComparison.Ordinal);
        Assert.Contains(ReportRenderers.Usd(_report.Summary.MonthlySavings), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chromium_renders_one_chart_per_flagged_resource_without_console_messages()
    {
        if (!File.Exists(Chromium))
            Assert.Fail($"{Chromium} is missing: install it with 'apt-get install -y chromium' (scripts/lib/ensure-deps.sh installs it)");
        var flagged = _report.Underused.ToList();
        Assert.Equal(6, flagged.Count); // 18 resources, kinds cycle every 6: 3 idle and 3 under-used
        var page = Path.Combine(_directory.FullName, "report.html");
        await File.WriteAllTextAsync(page, HtmlReport.Render(_report, ReportView.Underused));
        var url = new Uri(page).AbsoluteUri;

        var png = Path.Combine(_directory.FullName, "report.png");
        var shot = await RunChromiumAsync($"--screenshot={png}", "--window-size=1280,2400", url);
        Assert.True(File.Exists(png), $"no screenshot: {shot.Error}");
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.True(bytes.Length > 40_000, $"the screenshot is only {bytes.Length} bytes: a blank page?");
        Assert.DoesNotContain(":CONSOLE", shot.Error, StringComparison.Ordinal);

        var dom = await RunChromiumAsync("--dump-dom", url);
        Assert.DoesNotContain(":CONSOLE", dom.Error, StringComparison.Ordinal);
        var charts = ChartFigure().Matches(dom.Output).Select(m => m.Groups["key"].Value).ToList();
        Assert.Equal(flagged.Select(r => System.Net.WebUtility.HtmlEncode(r.Resource.Key)), charts);
        var polylines = Polyline().Matches(dom.Output);
        Assert.Equal(3 * flagged.Count, polylines.Count);
        Assert.All(polylines, p => Assert.Equal(14, p.Groups["points"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length));
        Assert.Contains("Idle and low-utilization resources", dom.Output, StringComparison.Ordinal);
        Assert.Equal(flagged.Count, RankedRow().Count(dom.Output));
    }

    private async Task<(string Output, string Error)> RunChromiumAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                     $"--user-data-dir={Path.Combine(_directory.FullName, "chromium-profile")}", .. args])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (await output, await error);
    }

    [GeneratedRegex("(?:src|href)\\s*=\\s*\"(?:https?:)?//|url\\(", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [GeneratedRegex("<figure class=\"chart\" id=\"[^\"]+\" data-resource=\"(?<key>[^\"]+)\"")]
    private static partial Regex ChartFigure();

    [GeneratedRegex("<polyline class=\"series\"[^>]*points=\"(?<points>[^\"]*)\"")]
    private static partial Regex Polyline();

    [GeneratedRegex("<tr data-resource=")]
    private static partial Regex RankedRow();
}
