using System.Net;
using Headroom.Etl;
using Headroom.Etl.Rules;
using Headroom.Fleet;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus.Rules;
using Headroom.PromQL;
using Headroom.Servers;

namespace Headroom.IntegrationTests;

/// <summary>
/// A simulated fleet's last three hours split over 2 shards (one replica each) behind an in-process gateway, the same
/// history in one reference Prometheus, and an empty Prometheus receiving remote write; plus the node profile's
/// recording rules as <c>headroom rules generate --profile node</c> writes them.
/// </summary>
public sealed class RulerFleet : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-ruler-fleet-");

    /// <summary>The end of the history: the start of this minute, so the receiver takes samples written for the last hour.</summary>
    public DateTimeOffset End { get; } = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 60 * 60);

    public PrometheusTopology Topology { get; private set; } = null!;
    public PrometheusServer Reference { get; private set; } = null!;
    public PrometheusServer Receiver { get; private set; } = null!;
    public GatewayServer Gateway { get; private set; } = null!;
    public string RuleFile { get; private set; } = null!;
    public RuleFile Rules { get; private set; } = null!;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        var fleet = SimulatedFleet.Create(8, 17);
        var history = new HistoryOptions(End.AddHours(-3), End, TimeSpan.FromSeconds(30));
        var file = Path.Combine(_directory.FullName, "history.om");
        await using (var stream = File.Create(file))
            FleetHistory.Write(fleet, history, stream);
        Rules = RuleGenerator.Generate(ProfileLoader.Load("node"), TimeSpan.FromMinutes(1));
        RuleFile = Path.Combine(_directory.FullName, "node.rules.yml");
        await File.WriteAllTextAsync(RuleFile, RuleFileWriter.Write(Rules));

        var topology = PrometheusTopology.StartAsync(new PrometheusTopologyOptions { Shards = 2, Replicas = 1, HistoryFile = file, HistoryShardBy = ["instance"] });
        var tsdb = Path.Combine(_directory.FullName, "reference");
        var reference = Task.Run(async () =>
        {
            await Promtool.BackfillAsync(stream => FleetHistory.Write(fleet, history, stream), tsdb);
            return await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d", ScrapeSelf = false });
        });
        var receiver = PrometheusServer.StartAsync(new PrometheusOptions { EnableRemoteWriteReceiver = true, ScrapeSelf = false });
        try
        {
            await Task.WhenAll(topology, reference, receiver);
        }
        finally
        {
            Topology = topology.IsCompletedSuccessfully ? topology.Result : null!;
            Reference = reference.IsCompletedSuccessfully ? reference.Result : null!;
            Receiver = receiver.IsCompletedSuccessfully ? receiver.Result : null!;
        }
        var config = GatewayConfig.For([.. Topology.Shards.Select(s => new ShardConfig($"shard-{s.Index}", [.. s.Replicas.Select(r => r.BaseUri)], Labels.Empty))])
            with
        { ReplicaLabels = ["replica", "shard"] };
        Gateway = await GatewayServer.StartAsync(config, new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
    }

    public async Task DisposeAsync()
    {
        if (Gateway is not null)
            await Gateway.DisposeAsync();
        foreach (var server in new[] { Reference, Receiver })
        {
            if (server is not null)
                await server.DisposeAsync();
        }
        if (Topology is not null)
            await Topology.DisposeAsync();
        Http.Dispose();
        _directory.Delete(recursive: true);
    }
}

/// <summary>A Prometheus that scrapes itself and receives remote write (the ruler's source and destination at once), and an Alertmanager.</summary>
public sealed class RulerAlerting : IAsyncLifetime
{
    public PrometheusServer Prometheus { get; private set; } = null!;
    public AlertmanagerServer Alertmanager { get; private set; } = null!;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        var prometheus = PrometheusServer.StartAsync(new PrometheusOptions { EnableRemoteWriteReceiver = true, ScrapeInterval = "1s" });
        var alertmanager = AlertmanagerServer.StartAsync();
        try
        {
            await Task.WhenAll(prometheus, alertmanager);
        }
        finally
        {
            Prometheus = prometheus.IsCompletedSuccessfully ? prometheus.Result : null!;
            Alertmanager = alertmanager.IsCompletedSuccessfully ? alertmanager.Result : null!;
        }
    }

    public async Task DisposeAsync()
    {
        if (Prometheus is not null)
            await Prometheus.DisposeAsync();
        if (Alertmanager is not null)
            await Alertmanager.DisposeAsync();
        Http.Dispose();
    }
}
