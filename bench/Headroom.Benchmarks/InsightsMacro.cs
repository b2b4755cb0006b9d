using System.Diagnostics;
using System.Globalization;
using Headroom.Insights;
using Headroom.Testing;
using Headroom.Warehouse;

namespace Headroom.Benchmarks;

/// <summary>
/// The insights reports over a large warehouse: <c>insights DB|postgres|mariadb [RESOURCES] [DAYS] [RUNS]</c>. Fills the
/// warehouse with synthetic hourly rows (cpu, memory, network_in, network_out) through its commit path (bulk upserts
/// and daily rollups), then times the report (both rules and rightsizing, with and without the daily chart series)
/// RUNS times. "postgres" and "mariadb" start a real server (Headroom.Servers); a sqlite: URL of an existing file that
/// already holds the rows skips the fill. Prints one key=value line per measurement.
/// </summary>
internal static class InsightsMacro
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1 || args[0] == "--help")
        {
            Console.Error.WriteLine("usage: insights DB|postgres|mariadb [resources=10000] [days=14] [runs=3]");
            return 2;
        }
        var resources = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
        var days = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 14;
        var runs = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;

        await using var postgres = args[0] == "postgres" ? await Testing.PostgresServer.StartAsync() : null;
        await using var mariadb = args[0] == "mariadb" ? await Testing.MariaDbServer.StartAsync() : null;
        var url = postgres?.Url ?? mariadb?.Url ?? args[0];
        await using var warehouse = await Warehouse.Warehouse.OpenAsync(url);
        await warehouse.MigrateAsync();

        var start = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
        var stopwatch = Stopwatch.StartNew();
        if (await warehouse.Reports().LatestDayAsync("node", "cpu") is null)
        {
            // One day more than the window, as a real warehouse has history before it.
            var rows = await SyntheticUtilization.FillAsync(warehouse, resources, start, (days + 1) * 24);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"phase=fill db={warehouse.Dialect} resources={resources} days={days + 1} hourly_rows={rows} seconds={stopwatch.Elapsed.TotalSeconds:F1} rows_per_second={rows / stopwatch.Elapsed.TotalSeconds:F0}"));
        }

        var options = new InsightsOptions { Days = days };
        foreach (var withDaily in new[] { false, true })
        {
            for (var run = 1; run <= runs; run++)
            {
                stopwatch.Restart();
                var report = await InsightsEngine.RunAsync(warehouse.Reports(), PriceCatalog.BuiltIn, options, withDaily);
                var seconds = stopwatch.Elapsed.TotalSeconds;
                if (withDaily)
                    _ = HtmlReport.Render(report, ReportView.All);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"phase=report db={warehouse.Dialect} daily_series={withDaily.ToString().ToLowerInvariant()} run={run} seconds={seconds:F2} html_seconds={stopwatch.Elapsed.TotalSeconds:F2} " +
                    $"resources={report.Resources.Count} idle={report.Summary.Idle} low={report.Summary.LowUtilization} over={report.Summary.OverProvisioned} savings_usd={report.Summary.MonthlySavings:F0}"));
            }
        }
        return 0;
    }
}
