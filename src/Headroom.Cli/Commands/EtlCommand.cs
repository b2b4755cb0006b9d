using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Headroom.Cli.Configuration;
using Headroom.Etl;
using Headroom.Warehouse;
using Spectre.Console;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom etl</c>: load utilization from a Prometheus-compatible source into the SQL warehouse.</summary>
internal static partial class EtlCommand
{
    public static Command Create()
    {
        var command = new Command("etl", "Load hourly utilization from a Prometheus-compatible endpoint, or from CloudWatch directly, into the SQL warehouse: validated, idempotent, with watermarks and gap backfill.");
        command.Subcommands.Add(Run("run", "Load everything new since the watermark (a first run starts 7 days back, 14 from CloudWatch), retrying open gaps first.", EtlMode.Incremental));
        command.Subcommands.Add(Run("backfill", "Reprocess a range (--from and --to required); loaded rows are replaced, never duplicated.", EtlMode.Backfill));
        command.Subcommands.Add(Status());
        command.Subcommands.Add(EtlPruneCommand.Create());
        return command;
    }

    private static Command Run(string name, string description, EtlMode mode)
    {
        var settings = new EtlSettings();
        var pushgateway = new Option<string?>("--pushgateway") { Description = "Push the run's metrics to this Pushgateway URL when done [env HEADROOM_PUSHGATEWAY]" };
        var format = SharedOptions.Format("table", "json");
        var command = new Command(name, description);
        settings.AddTo(command);
        command.Options.Add(pushgateway);
        command.Options.Add(format);
        if (mode == EtlMode.Backfill)
        {
            command.Validators.Add(r =>
            {
                if (r.GetResult(settings.From) is null || r.GetResult(settings.To) is null)
                    r.AddError("backfill needs both --from and --to, e.g. --from -14d --to -7d");
            });
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var config = settings.LoadConfig(parse);
            if (settings.IsCloudWatch(parse, config))
                return await RunCloudWatchAsync(settings, parse, config, mode, parse.GetValue(pushgateway), parse.GetValue(format)!, cancellationToken);
            var profile = settings.LoadProfile(parse, config);
            var connection = settings.Connection(parse, config);
            var options = settings.EtlOptions(parse, config, profile, connection.Display);
            var push = parse.GetValue(pushgateway) ?? Environment.GetEnvironmentVariable("HEADROOM_PUSHGATEWAY") ?? config.Pushgateway;
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;

            await using var warehouse = await OpenWarehouseAsync(settings.DatabaseUrl(parse, config), cancellationToken);
            using var http = connection.CreateHttpClient();
            var metrics = new EtlMetrics();
            var runner = new EtlRunner(warehouse, connection.CreateClient(http), EtlSettings.Extraction(config), metrics);
            var stopwatch = Stopwatch.StartNew();
            EtlReport? report = null;
            Exception? failure = null;
            try
            {
                report = await ProgressDisplay.RunAsync(error, $"{name} {profile.Name}", async progress =>
                    await runner.RunAsync(options, mode, new Progress<EtlProgress>(p => progress.Report(p.HoursTotal == 0 ? 1 : (double)p.HoursDone / p.HoursTotal)), cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = e;
            }
            finally
            {
                if (push is not null)
                    await PushAsync(metrics, http, push, profile.Name, error);
            }

            if (failure is not null)
            {
                throw failure switch
                {
                    DataQualityException q => new CliException(q.Message),
                    Prometheus.Client.PrometheusApiException p => new CliException($"the source failed: {p.Message}. Windows committed before the failure are kept; run again to continue."),
                    _ => failure,
                };
            }
            Print(report!, warehouse.DisplayUrl, stopwatch.Elapsed, parse.GetValue(format)!, output);
            if (parse.GetValue(format) != "json")
            {
                foreach (var line in FirstRunNotice.Lines(report!, options.SafetyDelay))
                    await output.WriteLineAsync(line);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Status()
    {
        var settings = new EtlSettings();
        var format = SharedOptions.Format("table", "json");
        var tolerance = SharedOptions.CpuTolerance();
        var command = new Command("status", "Show recent runs, watermarks and their lag, open gaps, quarantined rows, and where node_exporter and CloudWatch disagree about a host's CPU.") { settings.Config, settings.Database, format, tolerance };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var config = settings.LoadConfig(parse);
            // Status reads: a mistyped --db must not leave an empty warehouse behind.
            await using var warehouse = await WarehouseLocation.OpenExistingAsync(settings.DatabaseUrl(parse, config),
                "load one with 'headroom etl run --source URL'", cancellationToken);
            var status = await warehouse.GetStatusAsync(10, cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                var check = await CheckSourcesAsync(warehouse, parse.GetValue(tolerance), cancellationToken);
                var answer = new EtlStatusDocument(status.RecentRuns, status.Watermarks, status.OpenGaps, status.QuarantineByReason, check);
                await output.WriteLineAsync(JsonSerializer.Serialize(answer, CliJsonContext.Default.EtlStatusDocument));
                return ExitCodes.Success;
            }

            var console = FleetCommand.Console(output);
            var watermarks = new Table().Title("Watermarks").AddColumns("profile", "source", "loaded up to", "lag");
            foreach (var w in status.Watermarks)
                watermarks.AddRow(w.Watermark.Profile, Markup.Escape(w.Watermark.Source), w.Watermark.End.ToString("u", CultureInfo.InvariantCulture), Lag(w.Lag));
            console.Write(watermarks);
            var runs = new Table().Title("Recent runs").AddColumns("id", "profile", "status", "started", "window", "loaded", "rejected", "error");
            foreach (var r in status.RecentRuns)
            {
                runs.AddRow(r.Id.ToString(CultureInfo.InvariantCulture), r.Profile, r.Status.ToString().ToLowerInvariant(),
                    r.StartedAt.ToString("u", CultureInfo.InvariantCulture), $"{r.WindowFrom:yyyy-MM-dd HH:mm}..{r.WindowTo:yyyy-MM-dd HH:mm}",
                    r.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture), r.RowsRejected.ToString("N0", CultureInfo.InvariantCulture), Markup.Escape(r.Error ?? ""));
            }
            console.Write(runs);
            await WriteMetadataOriginsAsync(warehouse, status, output, cancellationToken);
            await output.WriteLineAsync($"open gaps: {status.OpenGaps}");
            await output.WriteLineAsync("quarantined rows: " + (status.QuarantineByReason.Count == 0 ? "none"
                : string.Join(", ", status.QuarantineByReason.Select(q => $"{q.Key} {q.Value}"))));
            await PrintAgreementAsync(warehouse, parse.GetValue(tolerance), output, cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Per profile, where each metadata field of its resources came from, and the hint when types are unknown.</summary>
    private static async Task WriteMetadataOriginsAsync(IWarehouse warehouse, WarehouseStatus status, TextWriter output, CancellationToken cancellationToken)
    {
        // A backfill alone sets no watermark: the recent runs name its profile.
        var profiles = status.Watermarks.Select(w => w.Watermark.Profile).Concat(status.RecentRuns.Select(r => r.Profile)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            var resources = await warehouse.ReadResourcesAsync(profile, cancellationToken);
            if (resources.Count == 0)
                continue;
            await output.WriteLineAsync($"metadata of {resources.Count} {profile} resources, by source:");
            foreach (var origins in MetadataOrigins.Summarize(resources))
                await output.WriteLineAsync("  " + MetadataOrigins.Describe(origins));
            var untyped = resources.Count(r => r.InstanceType is null && !r.Metadata.ContainsKey(MetadataFields.MonthlyCost));
            if (untyped > 0)
                await output.WriteLineAsync($"  {untyped} without an instance type or a monthly cost (unknown type, no price): {MetadataFields.MissingTypeHint}");
        }
    }

    internal static async Task<IWarehouse> OpenWarehouseAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            var warehouse = await Warehouse.Warehouse.OpenAsync(url, cancellationToken);
            await warehouse.MigrateAsync(cancellationToken);
            return warehouse;
        }
        catch (WarehouseUrlException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
        catch (WarehouseException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static async Task PushAsync(EtlMetrics metrics, HttpClient http, string url, string profile, TextWriter error)
    {
        try
        {
            await metrics.PushAsync(http, new Uri(url.TrimEnd('/') + "/"), profile);
        }
        catch (Exception e) when (e is HttpRequestException or UriFormatException or TaskCanceledException)
        {
            // The run's outcome stands; a failed push is reported, not fatal.
            await error.WriteLineAsync($"headroom: warning: could not push metrics to {url}: {e.Message}");
        }
    }

    private static void Print(EtlReport report, string database, TimeSpan elapsed, string format, TextWriter output)
    {
        if (format == "json")
        {
            output.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Default.EtlReport));
            return;
        }
        var rejected = report.RejectedByReason.Count == 0 ? "0" : $"{report.RowsRejected:N0} ({string.Join(", ", report.RejectedByReason.Select(r => $"{r.Key} {r.Value}"))})";
        var table = new Table().HideHeaders().AddColumns("", "")
            .AddRow("run", report.RunId.ToString(CultureInfo.InvariantCulture))
            .AddRow("range", $"{report.From:yyyy-MM-dd HH:mm}Z .. {report.To:yyyy-MM-dd HH:mm}Z ({report.Windows} windows)")
            .AddRow("rows loaded", report.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture))
            .AddRow("rows quarantined", rejected)
            .AddRow("gaps", $"{report.GapsOpened} opened, {report.GapsResolved} resolved")
            .AddRow("queries", report.Requests.ToString(CultureInfo.InvariantCulture))
            .AddRow("read from", $"recording rules {report.RecordedReads}, raw fallbacks {report.RawFallbacks} (window × dimension)")
            .AddRow("warehouse", Markup.Escape(database))
            .AddRow("took", string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:F1} s"));
        FleetCommand.Console(output).Write(table);
    }

    private static string Lag(TimeSpan lag) => lag.TotalHours >= 48
        ? string.Create(CultureInfo.InvariantCulture, $"{lag.TotalDays:F1} d")
        : string.Create(CultureInfo.InvariantCulture, $"{lag.TotalHours:F1} h");
}
