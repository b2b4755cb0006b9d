using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.CloudWatch.Cost;
using Headroom.Prometheus.Configuration;
using Headroom.Prometheus.ServerApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom cloudwatch</c>: a YACE-compatible CloudWatch exporter and the cost of its configuration.</summary>
internal static partial class CloudWatchCommand
{
    public static Command Create()
    {
        var command = new Command("cloudwatch", "Collect AWS CloudWatch metrics for Prometheus from a YACE configuration, with YACE's names, and estimate what that costs.");
        command.Subcommands.Add(Serve());
        command.Subcommands.Add(Cost());
        command.Subcommands.Add(CloudWatchDemo.Create());
        return command;
    }

    private static Option<FileInfo> ConfigOption() => new("--config")
    {
        Description = "YACE configuration file (apiVersion: v1alpha1)",
        Required = true,
    };

    private static Command Serve()
    {
        var config = ConfigOption();
        var listen = SharedOptions.Listen("127.0.0.1:5000");
        var endpoint = new Option<Uri?>("--endpoint-url")
        {
            Description = "Send every AWS call here (e.g. a moto_server or VPC endpoint); default: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, then AWS's regional endpoints",
            CustomParser = r => Uri.TryCreate(r.Tokens.Count > 0 ? r.Tokens[0].Value : "", UriKind.Absolute, out var uri)
                ? uri
                : Fail<Uri?>(r, $"--endpoint-url: '{(r.Tokens.Count > 0 ? r.Tokens[0].Value : "")}' is not an absolute URL, e.g. http://127.0.0.1:5000"),
            HelpName = "url",
        };
        var (logLevel, logFormat) = (SharedOptions.LogLevel(), SharedOptions.LogFormat());
        var command = new Command("serve",
            "Collect in the background, one loop per period, and serve the last complete result on /metrics (which never calls AWS), with self-metrics; /-/healthy and /-/ready.")
        {
            config, listen, endpoint, logLevel, logFormat,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = Load(parse.GetValue(config)!);
            var address = parse.GetValue(listen)!;
            var output = parse.InvocationConfiguration.Output;
            using var logging = SharedOptions.CreateLogging(parse.GetValue(logLevel)!, parse.GetValue(logFormat)!);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            var metrics = new CollectorMetrics();
            var collector = new Collector(loaded, http, new AwsEndpoints(parse.GetValue(endpoint)), metrics, logging: logging);
            var stamp = () => TimeProvider.System.GetUtcNow().ToString("u", CultureInfo.InvariantCulture);
            var loops = new CollectorLoops(collector, report: line => output.WriteLine($"{stamp()} {line}"));

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(address));
            await using var app = builder.Build();
            var logger = logging.CreateLogger("headroom.cloudwatch");
            app.UseRequestLog(logger);
            app.MapGet("/metrics", async (CancellationToken ct) => Results.Text(await loops.RenderAsync(ct), "text/plain; version=0.0.4; charset=utf-8"));
            app.MapGet("/-/healthy", () => Results.Text("Healthy\n"));
            app.MapGet("/-/ready", () => loops.Ready
                ? Results.Text("Ready\n")
                : Results.Text("Not ready: not every period's first collection has completed\n", statusCode: StatusCodes.Status503ServiceUnavailable));
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception ex) when (ListenFailure.Describe(ex, address.ToString()) is { } message)
            {
                throw new CliException(message);
            }
            var periods = string.Join(", ", collector.Periods.Select(p => $"{p.TotalSeconds:F0}s"));
            var jobs = loaded.Discovery.Count + loaded.Static.Count + loaded.CustomNamespace.Count;
            var metricCount = loaded.AllMetrics.Count();
            // Port 0 (--listen 127.0.0.1:0) binds a free one: say which.
            var bound = new System.Net.IPEndPoint(address.Address, new Uri(app.Urls.First()).Port);
            var url = $"http://{bound}/";
            await output.WriteLineAsync($"headroom cloudwatch: {metricCount} metrics in {jobs} jobs, loops every {periods}; metrics at {url}metrics");
            Log.Started(logger, metricCount, jobs, periods, url);
            try
            {
                await loops.RunAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            await app.StopAsync(CancellationToken.None);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Cost()
    {
        var config = ConfigOption();
        var resources = new Option<int>("--resources")
        {
            Description = "Resources (dimension sets) assumed per discovery or custom-namespace job, region and role",
            DefaultValueFactory = _ => 100,
            Validators = { SharedOptions.Check<int>(n => n is < 0 or > 10_000_000 ? $"--resources must be between 0 and 10000000, got {n}" : null) },
        };
        var format = SharedOptions.Format("table", "json");
        var compare = new Option<bool>("--compare") { Description = "Also model the same configuration under YACE's and cloudwatch_exporter's strategies" };
        var scrapeInterval = SharedOptions.Duration("--scrape-interval", "With --compare: Prometheus scrape interval of cloudwatch_exporter", "1m", TimeSpan.FromSeconds(1));
        var replicas = new Option<int>("--replicas")
        {
            Description = "With --compare: Prometheus replicas scraping cloudwatch_exporter",
            DefaultValueFactory = _ => 2,
            Validators = { SharedOptions.Check<int>(n => n is < 1 or > 100 ? $"--replicas must be between 1 and 100, got {n}" : null) },
        };
        var yaceInterval = SharedOptions.Duration("--yace-interval", "With --compare: YACE's scraping interval", "5m", TimeSpan.FromSeconds(1));
        var (mode, window) = EtlCostOptions();
        var command = new Command("cost", "Estimate the monthly CloudWatch bill of a configuration before running it (30-day month, us-east-1 list prices, no free tier).")
        {
            config, resources, format, compare, scrapeInterval, replicas, yaceInterval, mode, window,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = Load(parse.GetValue(config)!);
            if (parse.GetValue(mode) == "etl")
                return await PrintEtlCostAsync(loaded, parse.GetValue(resources), parse.GetValue(window)!, parse.GetValue(format)!, parse.InvocationConfiguration.Output, cancellationToken);
            var estimate = CostModel.Estimate(loaded, parse.GetValue(resources));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(compare))
            {
                var rows = StrategyComparison.Compare(loaded, parse.GetValue(resources), parse.GetValue(yaceInterval), parse.GetValue(scrapeInterval), parse.GetValue(replicas));
                if (parse.GetValue(format) == "json")
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(rows.ToList(), CloudWatchJsonContext.Default.ListStrategyCost).AsMemory(), cancellationToken);
                    return ExitCodes.Success;
                }
                var comparison = new Table().AddColumns("strategy", "cadence", "GetMetricData metrics/month", "GetMetricStatistics/month", "ListMetrics/month", "USD/month");
                foreach (var r in rows)
                {
                    comparison.AddRow(r.Strategy, r.Cadence, r.GetMetricDataMetrics.ToString("N0", CultureInfo.InvariantCulture),
                        r.GetMetricStatisticsRequests.ToString("N0", CultureInfo.InvariantCulture), r.ListMetricsRequests.ToString("N0", CultureInfo.InvariantCulture),
                        r.UsdPerMonth.ToString("N2", CultureInfo.InvariantCulture));
                }
                FleetCommand.Console(output).Write(comparison);
                return ExitCodes.Success;
            }
            if (parse.GetValue(format) == "json")
            {
                var json = JsonSerializer.Serialize(new CostReport(
                    estimate.ResourcesPerTarget, estimate.TotalUsdPerMonth,
                    estimate.QueriesPerLoop.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value),
                    estimate.CallsPerLoop.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value),
                    estimate.Apis.Select(a => new CostLine(a.Api, a.RequestsPerMonth, a.MetricsRequestedPerMonth, a.UsdPerMonth, a.PricedAs)).ToList()), CloudWatchJsonContext.Default.CostReport);
                await output.WriteLineAsync(json.AsMemory(), cancellationToken);
                return ExitCodes.Success;
            }
            foreach (var (period, queries) in estimate.QueriesPerLoop.OrderBy(kv => kv.Key))
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"period {period}s: {queries:N0} queries per loop in {estimate.CallsPerLoop[period]:N0} GetMetricData calls"));
            var table = new Table().AddColumns("API", "requests/month", "metrics requested/month", "priced", "USD/month");
            foreach (var a in estimate.Apis)
            {
                table.AddRow(a.Api, a.RequestsPerMonth.ToString("N0", CultureInfo.InvariantCulture),
                    a.MetricsRequestedPerMonth.ToString("N0", CultureInfo.InvariantCulture), a.PricedAs, a.UsdPerMonth.ToString("N2", CultureInfo.InvariantCulture));
            }
            table.AddRow("total", "", "", "", estimate.TotalUsdPerMonth.ToString("N2", CultureInfo.InvariantCulture));
            FleetCommand.Console(output).Write(table);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Assumes {estimate.ResourcesPerTarget:N0} resources per discovery/custom job, region and role; see docs/cloudwatch.md for the pricing assumptions."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static CollectorConfig Load(FileInfo file)
    {
        try
        {
            return CollectorConfigReader.ReadFile(file.FullName);
        }
        catch (ConfigException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }

    private static T Fail<T>(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "collecting {Metrics} metrics in {Jobs} jobs, loops every {Periods}, listening at {BaseUri}")]
        public static partial void Started(ILogger logger, int metrics, int jobs, string periods, string baseUri);
    }
}

internal sealed record CostLine(string Api, double RequestsPerMonth, double MetricsRequestedPerMonth, decimal UsdPerMonth, string PricedAs);

internal sealed record CostReport(int ResourcesPerTarget, decimal TotalUsdPerMonth, Dictionary<string, int> QueriesPerLoop, Dictionary<string, int> CallsPerLoop, List<CostLine> Apis);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(CostReport))]
[JsonSerializable(typeof(EtlCostReport))]
[JsonSerializable(typeof(List<StrategyCost>))]
internal sealed partial class CloudWatchJsonContext : JsonSerializerContext;
