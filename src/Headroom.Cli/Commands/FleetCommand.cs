using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Headroom.Fleet;
using Headroom.Prometheus.Client;
using Spectre.Console;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom fleet</c>: the simulated fleet (live targets, ground truth, history).</summary>
internal static class FleetCommand
{
    public static Command Create()
    {
        var command = new Command("fleet", "A simulated fleet of node_exporter hosts with known utilization profiles, for demos, tests and load.");
        command.Subcommands.Add(Serve());
        command.Subcommands.Add(Truth());
        command.Subcommands.Add(History());
        return command;
    }

    private static Command Serve()
    {
        var hosts = SharedOptions.Hosts(30);
        var seed = SharedOptions.Seed();
        var skew = SharedOptions.Skew();
        var listen = SharedOptions.Listen("127.0.0.1:9100");
        var sdFile = new Option<FileInfo>("--sd-file")
        {
            Description = "Where to write the Prometheus file_sd JSON that lists the targets",
            DefaultValueFactory = _ => new FileInfo("fleet-sd.json"),
        };
        var (logLevel, logFormat) = (SharedOptions.LogLevel(), SharedOptions.LogFormat());
        var command = new Command("serve", "Serve every host as a node_exporter target at /hosts/{id}/metrics and write a file_sd JSON listing them.")
        {
            hosts, seed, skew, listen, sdFile, logLevel, logFormat,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var fleet = SimulatedFleet.Create(parse.GetValue(hosts), parse.GetValue(seed), parse.GetValue(skew));
            using var logging = SharedOptions.CreateLogging(parse.GetValue(logLevel)!, parse.GetValue(logFormat)!);
            await using var server = await FleetServer.StartAsync(fleet, parse.GetValue(listen)!, logging: logging, cancellationToken: cancellationToken);
            var path = parse.GetValue(sdFile)!.FullName;
            await FileSdTargetGroup.WriteFileAsync(path, FleetTargets.For(fleet, server.Address), cancellationToken);
            await output.WriteLineAsync($"serving {fleet.Hosts.Count} hosts (seed {fleet.Seed}) at {server.BaseUri}hosts/{{id}}/metrics");
            await output.WriteLineAsync($"file_sd targets written to {path}; Ctrl-C to stop");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Truth()
    {
        var hosts = SharedOptions.Hosts(30);
        var seed = SharedOptions.Seed();
        var format = SharedOptions.Format("table", "json", "csv");
        var command = new Command("truth", "Print each host's real profile: the ground truth the reports are tested against.") { hosts, seed, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var truth = FleetTruth.Of(SimulatedFleet.Create(parse.GetValue(hosts), parse.GetValue(seed)));
            switch (parse.GetValue(format))
            {
                case "json":
                    await output.WriteLineAsync(truth.ToJson().AsMemory(), cancellationToken);
                    break;
                case "csv":
                    await output.WriteLineAsync("id,name,account,region,instance_type,vcpus,memory_bytes,cpu_profile,memory_profile,mean_cpu,mean_memory,network_bytes_per_day");
                    foreach (var h in truth.Hosts)
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{h.Id},{h.Name},{h.Account},{h.Region},{h.InstanceType},{h.VCpus},{h.MemoryBytes},{h.CpuProfile},{h.MemoryProfile},{h.MeanCpu},{h.MeanMemory},{h.NetworkBytesPerDay}"));
                    break;
                default:
                    var table = new Table().AddColumns("host", "name", "account", "region", "type", "cpu profile", "mean cpu", "memory profile", "mean memory", "network/day");
                    foreach (var h in truth.Hosts)
                    {
                        table.AddRow(h.Id, h.Name, h.Account, h.Region, h.InstanceType, h.CpuProfile,
                            h.MeanCpu.ToString("P1", CultureInfo.InvariantCulture), h.MemoryProfile,
                            h.MeanMemory.ToString("P1", CultureInfo.InvariantCulture), ByteSize.Format(h.NetworkBytesPerDay));
                    }
                    Console(output).Write(table);
                    break;
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command History()
    {
        var hosts = SharedOptions.Hosts(30);
        var seed = SharedOptions.Seed();
        var skew = SharedOptions.Skew();
        var days = new Option<double>("--days")
        {
            Description = "How many days of history to write, ending at --end",
            DefaultValueFactory = _ => 14,
            Validators = { SharedOptions.Check<double>(d => d is <= 0 or > 365 ? $"--days must be more than 0 and at most 365, got {d}" : null) },
        };
        var step = SharedOptions.Duration("--step", "Time between samples (the scrape interval the history imitates)", "60s", TimeSpan.FromSeconds(1));
        var end = new Option<DateTimeOffset?>("--end")
        {
            Description = "End of the history, RFC 3339 (default: now, rounded down to the step)",
            CustomParser = r => TimeArgument.Parse(r, "--end"),
        };
        var job = new Option<string>("--job") { Description = "The job label, equal to the job_name that will scrape the fleet", DefaultValueFactory = _ => FleetTargets.DefaultJob };
        var output = new Option<string>("--out")
        {
            Description = "OpenMetrics file to write ('-' for standard output), for 'promtool tsdb create-blocks-from openmetrics'",
            Required = true,
        };
        var command = new Command("history", "Write the hosts' past as OpenMetrics text with timestamps, continuing seamlessly into what 'serve' produces.")
        {
            hosts, seed, skew, days, step, end, job, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var fleet = SimulatedFleet.Create(parse.GetValue(hosts), parse.GetValue(seed), parse.GetValue(skew));
            var stepValue = parse.GetValue(step);
            var endValue = parse.GetValue(end) ?? RoundDown(TimeProvider.System.GetUtcNow(), stepValue);
            var options = new HistoryOptions(endValue.AddDays(-parse.GetValue(days)), endValue, stepValue, parse.GetValue(job)!);
            CliException.RefuseBadOptions(options.Validate);

            var target = parse.GetValue(output)!;
            var stopwatch = Stopwatch.StartNew();
            var stats = target == "-"
                ? FleetHistory.Write(fleet, options, System.Console.OpenStandardOutput(), cancellationToken: cancellationToken)
                : WriteFile(fleet, options, target, parse.InvocationConfiguration.Error, cancellationToken);
            var seconds = stopwatch.Elapsed.TotalSeconds;
            parse.InvocationConfiguration.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {stats.Series:N0} series, {stats.Samples:N0} samples ({ByteSize.Format(stats.Bytes)}) in {seconds:F1} s ({stats.Samples / seconds / 1e6:F1} M samples/s){(target == "-" ? "" : " to " + Path.GetFullPath(target))}"));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Writes to a temporary file beside the target and renames it at the end, so a failed run never leaves half a file.</summary>
    private static HistoryStats WriteFile(SimulatedFleet fleet, HistoryOptions options, string path, TextWriter error, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + ".partial";
        try
        {
            HistoryStats stats;
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                stats = ProgressDisplay.Run(error, "writing history", progress => FleetHistory.Write(fleet, options, file, progress, cancellationToken));
            }
            File.Move(temporary, full, overwrite: true);
            return stats;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static DateTimeOffset RoundDown(DateTimeOffset time, TimeSpan step) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds() / (long)step.TotalMilliseconds * (long)step.TotalMilliseconds);

    internal static IAnsiConsole Console(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.No });
        // Redirected output has no terminal width; Spectre would wrap tables at 80 columns.
        if (!ReferenceEquals(writer, System.Console.Out) || System.Console.IsOutputRedirected)
            console.Profile.Width = 240;
        return console;
    }
}
