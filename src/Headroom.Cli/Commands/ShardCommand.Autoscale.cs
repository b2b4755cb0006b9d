using System.CommandLine;
using Headroom.Demo;
using Headroom.Prometheus.Configuration;
using Headroom.Sharding;

namespace Headroom.Cli.Commands;

internal static partial class ShardCommand
{
    private static Command Autoscale()
    {
        var config = new Option<FileInfo>("--config")
        {
            Description = "The autoscaler's configuration (shards.yml: targets, directory, budget, watermarks, intervals; see docs/sharding.md)",
            Required = true,
        };
        var emit = new Option<string?>("--emit")
        {
            Description = "kubernetes: write a StatefulSet, Service and ConfigMap per shard into DIRECTORY/kubernetes/ instead of starting Prometheus here (the same as mode: kubernetes)",
        };
        emit.AcceptOnlyFromAmong("kubernetes");
        var listen = new Option<System.Net.IPEndPoint?>("--listen")
        {
            Description = "Serve the autoscaler's metrics at http://host:port/metrics (headroom_autoscaler_*)",
            CustomParser = r => System.Net.IPEndPoint.TryParse(r.Tokens.Single().Value, out var e) ? e : AddError(r),
            HelpName = "host:port",
        };
        var once = new Option<bool>("--once") { Description = "Reconcile once and exit (the shards a local run started stop with it)" };
        var (logLevel, logFormat) = (SharedOptions.LogLevel(), SharedOptions.LogFormat());
        var command = new Command("autoscale",
            "Keep the fleet's shards planned as it changes: re-plan when a shard crosses the high watermark (or all are under the low one), " +
            "hand moved targets over with an overlap (both shards scrape them for two scrape intervals plus the lookback delta), retire emptied shards " +
            "(readable until their retention passes) and write the topology file the gateway reloads. Locally it runs the Prometheus shards itself.")
        {
            config, emit, listen, once, logLevel, logFormat,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            AutoscalerOptions options;
            try
            {
                options = AutoscalerConfigReader.ReadFile(parse.GetValue(config)!.FullName);
            }
            catch (ConfigException e)
            {
                throw new CliException(e.Message, ExitCodes.Usage);
            }
            if (parse.GetValue(emit) == "kubernetes")
                options = options with { Mode = AutoscalerMode.Kubernetes };
            using var logging = SharedOptions.CreateLogging(parse.GetValue(logLevel)!, parse.GetValue(logFormat)!);
            await using var local = options.Mode == AutoscalerMode.Local ? new LocalShardRuntime(options) : null;
            IShardRuntime runtime = local is not null ? local : new KubernetesManifests(options);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var autoscaler = new Autoscaler(options, runtime, http, TimeProvider.System, logger: logging.CreateLogger("headroom.autoscaler"));
            global::Prometheus.IMetricServer? metrics = null;
            if (parse.GetValue(listen) is { } endpoint)
            {
                try
                {
                    metrics = new global::Prometheus.MetricServer(endpoint.Address.ToString(), endpoint.Port, registry: autoscaler.Metrics.Registry).Start();
                }
                catch (System.Net.HttpListenerException e)
                {
                    throw new CliException($"cannot serve metrics on {endpoint}: {e.Message}; choose another address with --listen");
                }
            }
            using (metrics)
            {
                var output = parse.InvocationConfiguration.Output;
                await output.WriteLineAsync($"autoscaling {options.TargetsFile} ({options.Mode.ToString().ToLowerInvariant()} mode); topology at {options.TopologyFile}; Ctrl-C to stop");
                try
                {
                    if (parse.GetValue(once))
                    {
                        // One reconcile is the whole job: its failure is the command's (the loop would try again).
                        if (!await autoscaler.ReconcileAsync(cancellationToken))
                        {
                            throw new CliException($"the reconcile failed: {autoscaler.LastProblem}");
                        }
                    }
                    else
                    {
                        await autoscaler.RunAsync(cancellationToken: cancellationToken);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                }
            }
            return ExitCodes.Success;
        });
        return command;

        static System.Net.IPEndPoint? AddError(System.CommandLine.Parsing.ArgumentResult r)
        {
            r.AddError($"--listen: '{r.Tokens.Single().Value}' is not host:port, e.g. 127.0.0.1:9097");
            return null;
        }
    }
}
