using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Headroom.Etl;
using Headroom.Etl.Rules;
using Headroom.Fleet;
using Headroom.Servers;
using Headroom.Insights;
using Headroom.Prometheus;
using Headroom.Prometheus.Rules;
using Spectre.Console;

namespace Headroom.Cli.Commands;

/// <summary>
/// <c>headroom demo</c>: the whole story on this machine. A simulated fleet, its history backfilled into a
/// real Prometheus with promtool, Prometheus scraping the live fleet, and the data shown through the API.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var hosts = SharedOptions.Hosts(24);
        var seed = SharedOptions.Seed();
        var days = new Option<int>("--days")
        {
            Description = "Days of history to backfill into Prometheus",
            DefaultValueFactory = _ => 14,
            Validators = { SharedOptions.Check<int>(d => d is < 1 or > 30 ? $"--days must be between 1 and 30, got {d}" : null) },
        };
        var directory = new Option<DirectoryInfo?>("--dir")
        {
            Description = "Directory for the demo's data (kept afterwards); default: a temporary directory removed at exit",
        };
        var wait = new Option<bool>("--wait") { Description = "Keep Prometheus and the fleet running until Ctrl-C (the default in a terminal)" };
        var noWait = new Option<bool>("--no-wait") { Description = "Stop everything after the summary (the default when output is redirected)" };
        var aws = new Option<bool>("--aws")
        {
            Description = "Tell the CloudWatch story instead: the fleet as EC2 instances in a local moto_server, its metrics put with PutMetricData, "
                + "collected by headroom's CloudWatch collector with YACE's names, and the ETL's aws-ec2 profile",
        };
        var shards = new Option<int>("--shards")
        {
            Description = "Run the node story over this many Prometheus shards behind headroom gateway (1 = one plain Prometheus)",
            DefaultValueFactory = _ => 1,
            Validators = { SharedOptions.Check<int>(n => n is < 1 or > 8 ? $"--shards must be between 1 and 8, got {n}" : null) },
        };
        var replicas = new Option<int>("--replicas")
        {
            Description = "HA replicas per shard, with --shards (each replica scrapes the same hosts)",
            DefaultValueFactory = _ => 1,
            Validators = { SharedOptions.Check<int>(n => n is < 1 or > 4 ? $"--replicas must be between 1 and 4, got {n}" : null) },
        };
        var command = new Command("demo", "Run the whole pipeline locally: simulated fleet, history backfilled into a real Prometheus, live scraping, a summary read back through the Prometheus API, the ETL into a SQLite warehouse and the report.")
        {
            hosts, seed, days, directory, wait, noWait, aws, shards, replicas,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(wait) && r.GetValue(noWait))
                r.AddError("--wait and --no-wait contradict each other; give one");
            if (r.GetValue(aws) && (r.GetValue(shards) > 1 || r.GetValue(replicas) > 1))
                r.AddError("--aws tells the CloudWatch story on one Prometheus; --shards and --replicas go with the node story");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new DemoOptions(parse.GetValue(hosts), parse.GetValue(seed), parse.GetValue(days), parse.GetValue(directory)?.FullName,
                parse.GetValue(wait) || (!parse.GetValue(noWait) && !Console.IsInputRedirected && !Console.IsOutputRedirected), parse.GetValue(aws),
                parse.GetValue(shards), parse.GetValue(replicas));
            return await RunAsync(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    internal sealed record DemoOptions(int Hosts, long Seed, int Days, string? Directory, bool Wait, bool Aws, int Shards = 1, int Replicas = 1);

    private static async Task<int> RunAsync(DemoOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = options.Directory ?? Path.Combine(Path.GetTempPath(), "headroom-demo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            if (options.Aws)
                return await AwsDemo.RunAsync(options, root, output, error, cancellationToken);
            return options.Shards > 1 || options.Replicas > 1
                ? await ShardedDemo.RunAsync(options, root, output, error, cancellationToken)
                : await RunNodeAsync(options, root, output, error, cancellationToken);
        }
        finally
        {
            if (options.Directory is null)
                TryDelete(root);
        }
    }

    private static async Task<int> RunNodeAsync(DemoOptions options, string root, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var fleet = SimulatedFleet.Create(options.Hosts, options.Seed);
        var now = TimeProvider.System.GetUtcNow();
        var end = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / 60 * 60);
        var tsdb = Path.Combine(root, "prometheus");

        await Step(output, $"backfilling {options.Days} days of history for {fleet.Hosts.Count} simulated hosts (seed {fleet.Seed})");
        await BackfillAsync(fleet, new HistoryOptions(end.AddDays(-options.Days), end, TimeSpan.FromMinutes(1)), tsdb, output, error, cancellationToken);

        await Step(output, "starting the fleet's node_exporter targets");
        await using var server = await FleetServer.StartAsync(fleet, new IPEndPoint(IPAddress.Loopback, 0), cancellationToken: cancellationToken);
        var sdFile = Path.Combine(root, "fleet-sd.json");
        await FileSdTargetGroup.WriteFileAsync(sdFile, FleetTargets.For(fleet, server.Address), cancellationToken);
        await output.WriteLineAsync($"    {fleet.Hosts.Count} targets at {server.BaseUri}hosts/{{id}}/metrics");

        var rules = Path.Combine(root, "headroom-rules.yml");
        await Step(output, $"recording rules: generating {rules} and recording them over the history");
        await RecordHistoryAsync("node", rules, tsdb, end.AddDays(-options.Days), end, output, cancellationToken);

        await Step(output, "starting Prometheus on the backfilled data with the rules, scraping the fleet every 15s");
        await using var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions
        {
            DataDirectory = tsdb,
            ScrapeConfigsYaml = FleetTargets.ScrapeConfigYaml(sdFile),
            EvaluationInterval = "1m",
            RuleFiles = [rules],
        }, cancellationToken);
        await output.WriteLineAsync($"    Prometheus at {prometheus.BaseUri}");

        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var client = new PrometheusClient(http, prometheus.BaseUri);
        await WaitForScrapesAsync(client, FleetTargets.DefaultJob, fleet.Hosts.Count, "fleet targets", cancellationToken);
        await output.WriteLineAsync($"    all {fleet.Hosts.Count} targets are up");

        await Step(output, "reading the data back through the Prometheus API");
        await SummaryAsync(client, fleet, options.Days, output, cancellationToken);

        await FinishAsync(options, root, client, prometheus.BaseUri, "node", end.AddDays(-options.Days), output, error, cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>The end both stories share: the ETL into SQLite, the reports and the page, then Ctrl-C when waiting.</summary>
    internal static async Task FinishAsync(DemoOptions options, string root, PrometheusClient client, Uri prometheus, string profile,
        DateTimeOffset historyStart, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var ownDirectory = options.Directory is null;
        var database = "sqlite:" + Path.Combine(root, "headroom.db");
        await Step(output, $"loading the warehouse ({database}) with headroom etl --profile {profile}");
        await LoadWarehouseAsync(client, prometheus, database, profile, historyStart, output, error, cancellationToken);
        if (options.Wait || !ownDirectory)
            await output.WriteLineAsync($"    try: headroom etl status --db {database}");

        await Step(output, "reporting under-used resources, rightsizing and savings (headroom report)");
        // The page outlives a temporary demo directory, which is removed at exit.
        var page = ownDirectory ? Path.Combine(Path.GetTempPath(), $"headroom-demo-report-{Path.GetFileName(root)}.html") : Path.Combine(root, "report.html");
        await ReportAsync(database, profile, page, options.Wait || !ownDirectory, output, cancellationToken);

        if (options.Wait)
        {
            await output.WriteLineAsync($"\n{(options.Shards > 1 || options.Replicas > 1 ? "The gateway" : "Prometheus")} keeps running at {prometheus} with {options.Days} days of fleet history. Ctrl-C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await output.WriteLineAsync("stopping");
            }
        }
    }

    private static async Task BackfillAsync(SimulatedFleet fleet, HistoryOptions history, string tsdb, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var stats = await ProgressDisplay.RunAsync(error, "    writing history and creating blocks", p =>
            Promtool.BackfillAsync(stream => FleetHistory.Write(fleet, history, stream, p, cancellationToken), tsdb, cancellationToken));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"    {stats.Samples:N0} samples in {stats.Series:N0} series ({FleetCommand.Bytes(stats.Bytes)} of OpenMetrics) turned into TSDB blocks by promtool in {stopwatch.Elapsed.TotalSeconds:F1} s"));
    }

    /// <summary>
    /// Generates the node profile's recording rules and backfills them over the history with promtool, against
    /// a Prometheus started for the purpose; the recorded blocks then join the raw ones.
    /// </summary>
    internal static async Task RecordHistoryAsync(string profile, string rules, string tsdb, DateTimeOffset from, DateTimeOffset to, TextWriter output, CancellationToken cancellationToken)
    {
        var generated = RuleGenerator.Generate(ProfileLoader.Load(profile), TimeSpan.FromMinutes(1));
        await File.WriteAllTextAsync(rules, RuleFileWriter.Write(generated), cancellationToken);
        var stopwatch = Stopwatch.StartNew();
        var recorded = tsdb + "-recorded";
        await using (var raw = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, ScrapeSelf = false }, cancellationToken))
        {
            var result = await Promtool.CreateBlocksFromRulesAsync(raw.BaseUri, from, to, recorded, [rules], cancellationToken);
            if (!result.Succeeded)
                throw new CliException($"promtool could not record the rules: {(result.StandardError + result.StandardOutput).Trim()}");
        }
        foreach (var block in Directory.GetDirectories(recorded))
            Directory.Move(block, Path.Combine(tsdb, Path.GetFileName(block)));
        Directory.Delete(recorded, recursive: true);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"    recorded {(to - from).TotalDays:F0} days of {generated.Groups.Sum(static g => g.Rules.Count)} rules in {stopwatch.Elapsed.TotalSeconds:F1} s"));
    }

    private static async Task LoadWarehouseAsync(PrometheusClient client, Uri source, string database, string profile, DateTimeOffset historyStart, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        await using var warehouse = await EtlCommand.OpenWarehouseAsync(database, cancellationToken);
        var runner = new EtlRunner(warehouse, client, new ExtractionOptions());
        var options = new EtlOptions
        {
            Profile = ProfileLoader.Load(profile),
            Source = source.AbsoluteUri.TrimEnd('/'),
            // The first whole hour of the history: an hour cut by the history's start would be incomplete.
            From = EtlRunner.FloorHour(historyStart).AddHours(1),
        };
        var stopwatch = Stopwatch.StartNew();
        var report = await ProgressDisplay.RunAsync(error, "    etl run", p =>
            runner.RunAsync(options, EtlMode.Incremental, new Progress<EtlProgress>(e => p.Report(e.HoursTotal == 0 ? 1 : (double)e.HoursDone / e.HoursTotal)), cancellationToken));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"    {report.RowsLoaded:N0} hourly rows loaded ({report.RowsRejected:N0} quarantined, {report.GapsOpened} gaps) from {report.Requests} queries in {stopwatch.Elapsed.TotalSeconds:F1} s; {report.RecordedReads} window×dimension reads from recording rules, {report.RawFallbacks} raw fallbacks"));
    }

    private static async Task ReportAsync(string database, string profile, string page, bool kept, TextWriter output, CancellationToken cancellationToken)
    {
        var settings = new ReportSettings(new InsightsOptions { Profile = profile }, "table", null, HtmlReport.DefaultChartLimit);
        var report = await ReportCommand.RunAsync(database, PriceCatalog.BuiltIn, settings, withDaily: true, cancellationToken);
        ReportRenderers.WriteTable(FleetCommand.Console(output), report, ReportView.Underused);
        ReportRenderers.WriteTable(FleetCommand.Console(output), report, ReportView.Rightsizing);
        await File.WriteAllTextAsync(page, HtmlReport.Render(report, ReportView.All), new System.Text.UTF8Encoding(false), cancellationToken);
        await output.WriteLineAsync($"    HTML report: {page}");
        if (kept)
            await output.WriteLineAsync($"    try: headroom report underused --db {database} --profile {profile}; headroom report rightsizing --db {database} --profile {profile} --format html --out report.html");
    }

    internal static async Task WaitForScrapesAsync(PrometheusClient client, string job, int targets, string what, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var up = await client.QueryAsync($"count(up{{job=\"{job}\"}} == 1)", cancellationToken: cancellationToken);
            if (up.Series.Count == 1 && up.Series[0].Samples[0].Value >= targets)
                return;
            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
                throw new CliException($"Prometheus did not scrape all {targets} {what} within 90 s; see its targets page");
            await Task.Delay(500, cancellationToken);
        }
    }

    internal static async Task SummaryAsync(PrometheusClient client, SimulatedFleet fleet, int days, TextWriter output, CancellationToken cancellationToken)
    {
        var start = await client.QueryAsync($"count(node_memory_MemTotal_bytes offset {days * 24 - 1}h)", cancellationToken: cancellationToken);
        var atStart = start.Series.Count == 0 ? 0 : start.Series[0].Samples[0].Value;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"    hosts with data {days} days ago: {atStart:F0} of {fleet.Hosts.Count}"));

        var cpu = await client.QueryAsync(
            $"avg_over_time((1 - avg by (instance) (rate(node_cpu_seconds_total{{mode=\"idle\"}}[5m])))[{days}d:1h])",
            cancellationToken: cancellationToken);
        var measured = cpu.Series.ToDictionary(s => s.Labels["instance"], s => s.Samples[0].Value, StringComparer.Ordinal);

        CompareWithTruth(output, $"Average CPU over {days} days, measured by Prometheus vs the fleet's truth", "hosts", fleet.Hosts, measured);
        if (measured.Count < fleet.Hosts.Count)
            throw new CliException($"Prometheus returned CPU history for {measured.Count} of {fleet.Hosts.Count} hosts");
    }

    /// <summary>A table of the measured average CPU per profile (<paramref name="measured"/>: host id → 0..1) beside the fleet's truth.</summary>
    internal static void CompareWithTruth(TextWriter output, string title, string unit, IEnumerable<SimulatedHost> hosts, IReadOnlyDictionary<string, double> measured)
    {
        var table = new Table().Title(title).AddColumns("cpu profile", unit, "measured", "expected");
        foreach (var group in hosts.GroupBy(h => h.CpuProfile).OrderBy(g => g.Key))
        {
            var values = group.Where(h => measured.ContainsKey(h.Id)).Select(h => measured[h.Id]).ToList();
            table.AddRow(
                HostTruth.ProfileName(group.Key),
                group.Count().ToString(CultureInfo.InvariantCulture),
                values.Count == 0 ? "no data" : values.Average().ToString("P1", CultureInfo.InvariantCulture),
                group.Average(h => h.MeanCpuUtilization).ToString("P1", CultureInfo.InvariantCulture));
        }
        FleetCommand.Console(output).Write(table);
    }

    internal static Task Step(TextWriter output, string text) => output.WriteLineAsync("==> " + text);

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
