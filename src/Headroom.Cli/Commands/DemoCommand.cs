using System.CommandLine;
using Headroom.Demo;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom demo</c>: its options; the stories themselves are in Headroom.Demo (<see cref="DemoStories"/>).</summary>
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
        var autoscale = new Option<bool>("--autoscale")
        {
            Description = "With --shards: tell the autoscaling story instead. A live fleet (no history; --days is not used) grows from a quarter of --hosts to all of them; "
                + "headroom shard autoscale (local mode) reshards from the --shards it starts with to up to twice as many, the gateway follows its topology file, "
                + "headroom ruler evaluates the node profile's recording rules and a demo alert over the gateway, writing to a receiving Prometheus and alerting "
                + "an HA Alertmanager pair whose webhook counts the notifications (expect 1). About half a minute",
        };
        var command = new Command("demo", "Run the whole pipeline locally: simulated fleet, history backfilled into a real Prometheus, live scraping, a summary read back through the Prometheus API, the ETL into a SQLite warehouse and the report.")
        {
            hosts, seed, days, directory, wait, noWait, aws, shards, replicas, autoscale,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(wait) && r.GetValue(noWait))
                r.AddError("--wait and --no-wait contradict each other; give one");
            if (r.GetValue(aws) && (r.GetValue(shards) > 1 || r.GetValue(replicas) > 1))
                r.AddError("--aws tells the CloudWatch story on one Prometheus; --shards and --replicas go with the node story");
            if (r.GetValue(autoscale) && r.GetResult(shards) is not { Implicit: false })
                r.AddError("--autoscale grows a sharded fleet and needs --shards to say how many shards it starts with; use e.g. --shards 2 --replicas 2 --autoscale");
            if (r.GetValue(autoscale) && r.GetValue(aws))
                r.AddError("--autoscale reshards Prometheus, not CloudWatch; leave out --aws");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Here, not in a validator: a validator sees an option left at its default as 0.
            if (parse.GetValue(autoscale) && parse.GetValue(hosts) is < 4 or > 200)
                throw new CliException($"--autoscale starts with a quarter of the hosts and runs them all live on this machine: give --hosts from 4 to 200, got {parse.GetValue(hosts)}", ExitCodes.Usage);
            var options = new DemoOptions(parse.GetValue(hosts), parse.GetValue(seed), parse.GetValue(days), parse.GetValue(directory)?.FullName,
                parse.GetValue(wait) || (!parse.GetValue(noWait) && !Console.IsInputRedirected && !Console.IsOutputRedirected), parse.GetValue(aws),
                parse.GetValue(shards), parse.GetValue(replicas), parse.GetValue(autoscale));
            await DemoStories.RunAsync(options, ConsoleFor(parse), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The demo's console for this invocation: Spectre tables sized for the terminal, progress bars on stderr.</summary>
    internal static DemoConsole ConsoleFor(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        return new DemoConsole(output, error) { Tables = FleetCommand.Console(output), Progress = new TerminalProgress(error) };
    }

    private sealed class TerminalProgress(TextWriter error) : IProgressDisplay
    {
        public Task<T> RunAsync<T>(string description, Func<IProgress<double>, Task<T>> work) => ProgressDisplay.RunAsync(error, description, work);
    }
}
