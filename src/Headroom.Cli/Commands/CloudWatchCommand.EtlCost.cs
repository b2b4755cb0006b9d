using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Headroom.CloudWatch.Config;
using Headroom.CloudWatch.Cost;
using Spectre.Console;

namespace Headroom.Cli.Commands;

internal static partial class CloudWatchCommand
{
    private static (Option<string> Mode, Option<string> Window) EtlCostOptions()
    {
        var mode = new Option<string>("--mode")
        {
            Description = "collector: the bill of 'cloudwatch serve' scraped into Prometheus; etl: the bill of 'etl --source cloudwatch' reading straight into the warehouse, next to the collector's",
            DefaultValueFactory = _ => "collector",
        };
        mode.AcceptOnlyFromAmong("collector", "etl");
        var window = new Option<string>("--window") { Description = "With --mode etl: the window each run reads with one query per metric", DefaultValueFactory = _ => "1h" };
        window.AcceptOnlyFromAmong("1h", "1d");
        return (mode, window);
    }

    /// <summary>The direct path's bill next to the collector's, with the arithmetic.</summary>
    private static async Task<int> PrintEtlCostAsync(CollectorConfig config, int resources, string window, string format, TextWriter output, CancellationToken cancellationToken)
    {
        var direct = DirectReadCost.Estimate(config, resources, window == "1d" ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1));
        var collector = CostModel.Estimate(config, resources);
        if (format == "json")
        {
            var report = new EtlCostReport(resources, window, direct.QueriesPerWindow, direct.CallsPerWindow, direct.TotalUsdPerMonth, collector.TotalUsdPerMonth, direct.Formula,
                [.. direct.Apis.Select(a => new CostLine(a.Api, a.RequestsPerMonth, a.MetricsRequestedPerMonth, a.UsdPerMonth, a.PricedAs))]);
            await output.WriteLineAsync(JsonSerializer.Serialize(report, CloudWatchJsonContext.Default.EtlCostReport).AsMemory(), cancellationToken);
            return ExitCodes.Success;
        }
        string Money(decimal usd) => usd.ToString("N2", CultureInfo.InvariantCulture);
        string Count(double n) => n.ToString("N0", CultureInfo.InvariantCulture);
        var table = new Table().AddColumns("path", "cadence", "GetMetricData metrics/month", "ListMetrics/month", "USD/month");
        table.AddRow("collector (cloudwatch serve → Prometheus → etl)", "every period",
            Count(collector.Apis.Single(a => a.Api == "GetMetricData").MetricsRequestedPerMonth), Count(collector.Apis.Single(a => a.Api == "ListMetrics").RequestsPerMonth), Money(collector.TotalUsdPerMonth));
        table.AddRow($"etl --source cloudwatch --window {window}", $"one query per metric per {window} window",
            Count(direct.Apis.Single(a => a.Api == "GetMetricData").MetricsRequestedPerMonth), Count(direct.Apis.Single(a => a.Api == "ListMetrics").RequestsPerMonth), Money(direct.TotalUsdPerMonth));
        FleetCommand.Console(output).Write(table);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"etl: {direct.QueriesPerWindow:N0} queries in {direct.CallsPerWindow:N0} GetMetricData calls a window (at most 500 queries and 100,800 datapoints a call)."));
        await output.WriteLineAsync($"etl GetMetricData: {direct.Formula}");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Assumes {resources:N0} resources per discovery/custom job, region and role, and counts every configured metric (the ETL asks only for those its profile reads); see docs/cloudwatch.md."));
        return ExitCodes.Success;
    }
}

internal sealed record EtlCostReport(int ResourcesPerTarget, string Window, int QueriesPerWindow, int CallsPerWindow, decimal EtlUsdPerMonth, decimal CollectorUsdPerMonth, string Formula, List<CostLine> Apis);
