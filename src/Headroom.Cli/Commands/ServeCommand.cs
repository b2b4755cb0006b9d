using System.CommandLine;
using System.Globalization;
using System.Net;
using Headroom.Cli.Configuration;
using Headroom.Etl;
using Headroom.Etl.CloudWatch;
using Headroom.Insights;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.ServerApi;
using Headroom.PromQL.Syntax;
using Headroom.Warehouse;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom serve</c>: the ETL on a schedule, with its health on <c>/metrics</c>, <c>/-/healthy</c> and <c>/-/ready</c>.</summary>
internal static partial class ServeCommand
{
    public static Command Create()
    {
        var settings = new EtlSettings();
        var listen = SharedOptions.Listen("127.0.0.1:9108");
        var interval = SharedOptions.Duration("--interval", "Time between ETL runs", "15m", TimeSpan.FromSeconds(10), SharedOptions.LongestWait);
        var report = new ReportOptions();
        var (logLevel, logFormat) = (SharedOptions.LogLevel(), SharedOptions.LogFormat());
        var command = new Command("serve", "Run the ETL every --interval and serve its metrics (/metrics), health (/-/healthy, /-/ready) and the insights page (/, as 'headroom report --format html') until stopped.");
        settings.AddTo(command);
        command.Options.Add(listen);
        command.Options.Add(interval);
        command.Options.Add(report.Prices);
        command.Options.Add(report.HostPrices);
        command.Options.Add(report.Region);
        command.Options.Add(logLevel);
        command.Options.Add(logFormat);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var config = settings.LoadConfig(parse);
            var profile = settings.LoadProfile(parse, config);
            var cloudWatch = settings.IsCloudWatch(parse, config);
            var yace = cloudWatch ? settings.LoadCloudWatchConfig(parse, config) : null;
            if (yace is not null)
                CloudWatchWanted(yace, profile);
            var connection = cloudWatch ? null : settings.Connection(parse, config);
            var sourceDisplay = connection?.Display ?? EtlSettings.CloudWatchSource;
            var options = cloudWatch ? settings.CloudWatchOptions(parse, config, profile) : settings.EtlOptions(parse, config, profile, sourceDisplay);
            var every = parse.GetResult(interval) is null && config.Serve.Interval is { } configured
                ? (Durations.TryParseSetting(configured, out var d, out var e) ? d : throw new CliException($"serve.interval: {e}", ExitCodes.Usage))
                : parse.GetValue(interval).Value;
            var endpoint = parse.GetResult(listen) is null && config.Serve.Listen is { } address
                ? (IPEndPoint.TryParse(address, out var ep) ? ep : throw new CliException($"serve.listen: '{address}' is not host:port", ExitCodes.Usage))
                : parse.GetValue(listen)!;
            var output = parse.InvocationConfiguration.Output;
            var catalog = report.Catalog(parse);
            using var logging = SharedOptions.CreateLogging(parse.GetValue(logLevel)!, parse.GetValue(logFormat)!);
            var logger = logging.CreateLogger("headroom.serve");

            await using var warehouse = await EtlCommand.OpenWarehouseAsync(settings.DatabaseUrl(parse, config), cancellationToken);
            using var http = connection?.CreateHttpClient() ?? new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            var metrics = new EtlMetrics();
            Func<EtlOptions, Task> runOnce = yace is null
                ? RunOnce(new EtlRunner(warehouse, connection!.CreateClient(http), EtlSettings.Extraction(config), metrics), output, logger, cancellationToken)
                : RunOnce(new CloudWatchEtl(warehouse, settings.CloudWatchCollector(parse, yace, http), metrics), yace, output, logger, cancellationToken);
            var ready = false;

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
            await using var app = builder.Build();
            app.UseRequestLog(logger);
            app.MapGet("/metrics", async () => Results.Text(await metrics.ExportAsync(), "text/plain; version=0.0.4; charset=utf-8"));
            app.MapGet("/", async (CancellationToken ct) => await InsightsPageAsync(warehouse, catalog, profile.Name, ct));
            app.MapGet("/-/healthy", () => Results.Text("Healthy\n"));
            app.MapGet("/-/ready", () => ready ? Results.Text("Ready\n") : Results.Text("Not ready: the first ETL run has not finished\n", statusCode: StatusCodes.Status503ServiceUnavailable));
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception ex) when (ListenFailure.Describe(ex, endpoint.ToString()) is { } message)
            {
                throw new CliException(message);
            }
            var everyText = Durations.Format(every);
            var url = $"http://{endpoint}/";
            await output.WriteLineAsync($"headroom serve: {profile.Name} from {sourceDisplay} into {warehouse.DisplayUrl} every {everyText}; metrics at {url}metrics, insights at {url}");
            // Both addresses are the redacted ones: the source's without its user and password, the warehouse's without its password.
            Log.Started(logger, profile.Name, sourceDisplay, warehouse.DisplayUrl, everyText, url);

            using var timer = new PeriodicTimer(every);
            try
            {
                do
                {
                    await runOnce(options);
                    ready = true;
                    options = options with { From = null, To = null };
                }
                while (await timer.WaitForNextTickAsync(cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            await app.StopAsync(CancellationToken.None);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The insights page, computed from the warehouse on each request (default thresholds, the served profile).</summary>
    private static async Task<IResult> InsightsPageAsync(Warehouse.IWarehouse warehouse, PriceCatalog catalog, string profile, CancellationToken cancellationToken)
    {
        try
        {
            var insights = await ReportCommand.WithSourceCheckAsync(warehouse,
                await InsightsEngine.RunAsync(warehouse.Reports(), catalog, new InsightsOptions { Profile = profile }, withDaily: true, cancellationToken: cancellationToken),
                Etl.SourceAgreement.DefaultTolerance, cancellationToken);
            return Results.Content(HtmlReport.Render(insights, ReportView.All), "text/html; charset=utf-8");
        }
        catch (NoDataException e)
        {
            var body = $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Headroom insights</title></head><body><h1>Headroom insights</h1><p>{System.Net.WebUtility.HtmlEncode(e.Message)}</p><p>The first ETL run fills the warehouse; reload this page when it has finished.</p></body></html>";
            return Results.Content(body, "text/html; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>
    /// One scheduled run, summed up on <paramref name="output"/> for people and logged; a failure is logged and the schedule goes
    /// on (the metrics and alerts say so). The runner's messages name the source and warehouse by their redacted addresses.
    /// </summary>
    private static Func<EtlOptions, Task> RunOnce(EtlRunner runner, TextWriter output, ILogger logger, CancellationToken cancellationToken) =>
        options => RunOnceAsync(runner, options, output, logger, cancellationToken);

    private static async Task RunOnceAsync(EtlRunner runner, EtlOptions options, TextWriter output, ILogger logger, CancellationToken cancellationToken)
    {
        var stamp = TimeProvider.System.GetUtcNow().ToString("u", CultureInfo.InvariantCulture);
        try
        {
            // Each run continues from the watermark; --from and --to apply only to the first one.
            var report = await runner.RunAsync(options, EtlMode.Incremental, cancellationToken: cancellationToken);
            await output.WriteLineAsync($"{stamp} run {report.RunId}: {report.RowsLoaded} rows loaded, {report.RowsRejected} quarantined, {report.GapsOpened} gaps opened, {report.GapsResolved} resolved");
            Log.RunSucceeded(logger, report.RunId, report.From, report.To, report.RowsLoaded, report.RowsRejected, report.GapsOpened, report.GapsResolved);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await output.WriteLineAsync($"{stamp} run failed: {e.Message}");
            Log.RunFailed(logger, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "serving profile {Profile} from {Source} into {Warehouse} every {Interval}, listening at {BaseUri}")]
        public static partial void Started(ILogger logger, string profile, string source, string warehouse, string interval, string baseUri);

        [LoggerMessage(Level = LogLevel.Information,
            Message = "run {RunId} from {From} to {To}: {RowsLoaded} rows loaded, {RowsRejected} quarantined, {GapsOpened} gaps opened, {GapsResolved} resolved")]
        public static partial void RunSucceeded(ILogger logger, long runId, DateTimeOffset from, DateTimeOffset to, long rowsLoaded, long rowsRejected, int gapsOpened, int gapsResolved);

        [LoggerMessage(Level = LogLevel.Error, Message = "run failed, the schedule goes on: {Problem}")]
        public static partial void RunFailed(ILogger logger, string problem);
    }
}
