using System.CommandLine;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus.Configuration;
using Headroom.PromQL;

namespace Headroom.Cli.Commands;

/// <summary>
/// <c>headroom gateway</c>: one Prometheus-compatible query API over many shards and HA replicas, from a
/// configuration file or from <c>--shard</c> flags.
/// </summary>
internal static class GatewayCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config")
        {
            Description = "The gateway's configuration file (YAML: shards, replicas, replica labels, limits, tenants; see docs/gateway.md). Reloaded on SIGHUP and when it changes",
        };
        var shards = new Option<string[]>("--shard")
        {
            Description = "A shard's replicas as comma-separated URLs, e.g. http://10.0.0.1:9090,http://10.0.0.2:9090; once per shard (instead of --config)",
            AllowMultipleArgumentsPerToken = false,
            Arity = ArgumentArity.ZeroOrMore,
        };
        var topology = new Option<FileInfo?>("--topology")
        {
            Description = "A topology file written by 'headroom shard autoscale' (shards, replicas, when each held samples), reloaded when it changes " +
                "(instead of --config; in a configuration file, write topology_file: FILE)",
        };
        var listen = SharedOptions.Listen("127.0.0.1:9095");
        var partial = new Option<string>("--partial-response")
        {
            Description = "When a shard has no healthy replica: warn (answer the other shards with a warning) or fail; given with --config or --topology, it overrides the file's partial_response",
            DefaultValueFactory = _ => "warn",
        };
        partial.AcceptOnlyFromAmong("warn", "fail");
        var noPushdown = new Option<bool>("--no-pushdown") { Description = "Evaluate every query in the gateway, never on the shards" };
        var (logLevel, logFormat) = (SharedOptions.LogLevel(), SharedOptions.LogFormat());
        var command = new Command("gateway",
            "Serve one Prometheus-compatible API (query, query_range, series, labels, metadata, federate, remote read) over many Prometheus " +
            "shards and their HA replicas: series merged across shards, replicas deduplicated, PromQL evaluated by Headroom's engine, tenants enforced.")
        {
            config, shards, topology, listen, partial, noPushdown, logLevel, logFormat,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var file = parse.GetValue(config);
            var flags = parse.GetValue(shards) ?? [];
            var topologyFile = parse.GetValue(topology);
            if ((file is not null ? 1 : 0) + (flags.Length > 0 ? 1 : 0) + (topologyFile is not null ? 1 : 0) != 1)
            {
                throw new CliException("give one of --config FILE, --topology FILE or one --shard URL[,URL...] per shard " +
                    "(to add shards to a topology, name it in the configuration: topology_file: FILE)", ExitCodes.Usage);
            }
            GatewayConfig gatewayConfig;
            try
            {
                gatewayConfig = (file, topologyFile) switch
                {
                    ({ } f, _) => GatewayConfigReader.ReadFile(f.FullName),
                    (_, { } t) => GatewayConfigReader.ForTopology(t.FullName),
                    _ => FromFlags(flags, parse.GetValue(partial)!),
                };
            }
            catch (ConfigException e)
            {
                throw new CliException(e.Message, ExitCodes.Usage);
            }
            // What the command line says outlasts a reload of the file.
            var partialGiven = parse.GetResult(partial) is { Implicit: false };
            var partialPolicy = parse.GetValue(partial) == "fail" ? PartialResponse.Fail : PartialResponse.Warn;
            var withoutPushdown = parse.GetValue(noPushdown);
            GatewayConfig Adjust(GatewayConfig read) => read with
            {
                PartialResponse = partialGiven ? partialPolicy : read.PartialResponse,
                Pushdown = read.Pushdown && !withoutPushdown,
            };
            gatewayConfig = Adjust(gatewayConfig);
            using var logging = SharedOptions.CreateLogging(parse.GetValue(logLevel)!, parse.GetValue(logFormat)!);
            GatewayServer server;
            try
            {
                server = await GatewayServer.StartAsync(gatewayConfig, new GatewayServerOptions(parse.GetValue(listen)!, file?.FullName, Adjust), logging,
                    cancellationToken: cancellationToken);
            }
            catch (GatewayException e)
            {
                throw new CliException(e.Message);
            }
            await using (server)
            {
                await output.WriteLineAsync(
                    $"gateway at {server.BaseUri} over {gatewayConfig.Shards.Count} shards ({gatewayConfig.Shards.Sum(s => s.Replicas.Count)} replicas); Ctrl-C to stop");
                await server.WaitAsync(cancellationToken);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static GatewayConfig FromFlags(string[] shards, string partial)
    {
        var list = new List<ShardConfig>();
        for (var i = 0; i < shards.Length; i++)
        {
            var urls = shards[i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (urls.Length == 0)
            {
                throw new ConfigException($"--shard #{i + 1} is empty; give its replicas' URLs, comma-separated");
            }
            list.Add(new ShardConfig($"shard-{i}", [.. urls.Select(u => GatewayConfigReader.ReplicaUrl(u))], Labels.Empty));
        }
        return GatewayConfig.For(list) with { PartialResponse = partial == "fail" ? PartialResponse.Fail : PartialResponse.Warn };
    }
}
