using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Headroom.Cli.Configuration;
using Headroom.Etl;
using Headroom.Etl.CloudWatch;
using Spectre.Console;

namespace Headroom.Cli.Commands;

internal static partial class EtlCommand
{
    /// <summary>
    /// <c>etl run|backfill --source cloudwatch</c>: every account and region of the YACE configuration loads on its own; one
    /// that fails becomes gaps (printed, retried by the next run) and the exit code is 1 only when no target loaded at all.
    /// </summary>
    private static async Task<int> RunCloudWatchAsync(EtlSettings settings, ParseResult parse, HeadroomConfig config, EtlMode mode, string? pushgateway, string format, CancellationToken cancellationToken)
    {
        var yace = settings.LoadCloudWatchConfig(parse, config);
        var profile = settings.LoadProfile(parse, config);
        var options = settings.CloudWatchOptions(parse, config, profile);
        var push = pushgateway ?? Environment.GetEnvironmentVariable("HEADROOM_PUSHGATEWAY") ?? config.Pushgateway;
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            CloudWatchEtl.Wanted(yace, profile);
        }
        catch (CloudWatchEtlException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }

        await using var warehouse = await OpenWarehouseAsync(settings.DatabaseUrl(parse, config), cancellationToken);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var metrics = new EtlMetrics();
        var etl = new CloudWatchEtl(warehouse, settings.CloudWatchCollector(parse, yace, http), metrics);
        var stopwatch = Stopwatch.StartNew();
        CloudWatchEtlReport report;
        try
        {
            report = await ProgressDisplay.RunAsync(error, $"{parse.CommandResult.Command.Name} {profile.Name} from CloudWatch", async progress =>
                await etl.RunAsync(yace, options, mode, new Progress<EtlProgress>(p => progress.Report(p.HoursTotal == 0 ? 1 : (double)p.HoursDone / p.HoursTotal)), cancellationToken));
        }
        catch (CloudWatchEtlException e)
        {
            throw new CliException(e.Message);
        }
        finally
        {
            if (push is not null)
                await PushAsync(metrics, http, push, profile.Name, error);
        }

        foreach (var target in report.Targets)
        {
            if (target.Error is not null)
                await error.WriteLineAsync($"headroom: warning: {target.Who} in {target.Region} failed: {target.Error}");
            foreach (var line in target.Report?.Unavailable ?? [])
                await error.WriteLineAsync($"headroom: warning: {target.Source}: {line}; recorded as gaps, the next run retries them");
            foreach (var line in target.NoData)
                await error.WriteLineAsync($"headroom: warning: {target.Source}: {line}");
        }
        if (format == "json")
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(report, CliJsonContext.Default.CloudWatchEtlReport));
        }
        else
        {
            var table = new Table().Title("CloudWatch → warehouse").AddColumns("source", "range", "rows loaded", "quarantined", "gaps opened/resolved", "GetMetricData calls", "metrics requested", "problem");
            foreach (var t in report.Targets)
            {
                var r = t.Report;
                table.AddRow(Markup.Escape(t.Source ?? $"{t.Who} {t.Region}"),
                    r is null ? "" : $"{r.From:yyyy-MM-dd HH:mm}Z .. {r.To:yyyy-MM-dd HH:mm}Z ({r.Windows} windows)",
                    r?.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture) ?? "",
                    r?.RowsRejected.ToString("N0", CultureInfo.InvariantCulture) ?? "",
                    r is null ? "" : $"{r.GapsOpened}/{r.GapsResolved}",
                    r?.Requests.ToString(CultureInfo.InvariantCulture) ?? "",
                    t.MetricsRequested.ToString("N0", CultureInfo.InvariantCulture),
                    Markup.Escape(t.Error ?? (r is { Unavailable.Count: > 0 } ? $"{r.Unavailable.Count} windows unavailable"
                        : r is { SourceHoldsNoData: true } ? "no resource or metric here: nothing to load, no gap opened" : "")));
            }
            var console = FleetCommand.Console(output);
            console.Write(table);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"warehouse {warehouse.DisplayUrl}; took {stopwatch.Elapsed.TotalSeconds:F1} s"));
        }
        return report.Targets.Any(t => t.Report is { RowsLoaded: > 0 }) || report.Complete == report.Targets.Count ? ExitCodes.Success : ExitCodes.Failure;
    }
}
