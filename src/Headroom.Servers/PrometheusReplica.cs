namespace Headroom.Servers;

/// <summary>
/// One replica of a <see cref="PrometheusShard"/>: a real Prometheus with the external labels <c>shard</c> and
/// <c>replica</c>, its own data directory and a loopback port it keeps across restarts. Kill it, stop it and start it
/// again to test how a client lives with a replica that is gone.
/// </summary>
public sealed class PrometheusReplica
{
    private readonly PrometheusOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PrometheusServer? _server;
    private string _lastLogs = "";
    private int _port;

    internal PrometheusReplica(int shard, int index, PrometheusOptions options, long historySamples, BlockSummary? recordedHistory)
    {
        RecordedHistory = recordedHistory;
        Shard = shard;
        Index = index;
        _options = options;
        HistorySamples = historySamples;
    }

    /// <summary>The shard's index, from 0; also the value of the <c>shard</c> external label.</summary>
    public int Shard { get; }

    /// <summary>The replica's index within its shard, from 0; also the value of the <c>replica</c> external label.</summary>
    public int Index { get; }

    /// <summary>The loopback port, chosen free at the first start and kept by every restart.</summary>
    public int Port => _port;

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>; the same after a restart.</summary>
    public Uri BaseUri => _port == 0 ? throw new InvalidOperationException($"{this} has not started yet.") : Probes.Loopback(_port);

    /// <summary>The TSDB directory, kept across restarts and removed with the topology.</summary>
    public string DataDirectory => _options.DataDirectory!;

    /// <summary>The external labels: <c>shard</c>, <c>replica</c> and any the topology's options added.</summary>
    public IReadOnlyDictionary<string, string> ExternalLabels => _options.ExternalLabels;

    /// <summary>History samples backfilled into this replica: its shard's, less those <see cref="ReplicaSampleLoss"/> left out.</summary>
    public long HistorySamples { get; }

    /// <summary>
    /// What recording <see cref="PrometheusTopologyOptions.HistoryRules"/> over this replica's history wrote into it
    /// (the same blocks as its shard's other replicas unless it lost samples); null without those rules or history.
    /// </summary>
    public BlockSummary? RecordedHistory { get; }

    /// <summary>True while the replica's process runs.</summary>
    public bool IsRunning => _server is { HasExited: false };

    /// <summary>The running process' id, or null when stopped.</summary>
    public int? ProcessId => IsRunning ? _server?.ProcessId : null;

    /// <summary>The last lines Prometheus wrote, from the running process or the last one that ran.</summary>
    public string RecentLogs => _server?.RecentLogs ?? _lastLogs;

    /// <summary>Starts the replica on its port and data directory and waits until <c>/-/ready</c> answers.</summary>
    /// <exception cref="InvalidOperationException">The replica is running.</exception>
    /// <exception cref="ServerStartException">Prometheus did not get ready, e.g. because another process took the port.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsRunning)
                throw new InvalidOperationException($"{this} is running; stop or kill it first.");
            await StartUnderGateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Kills the process with SIGKILL, as a crash would, and waits until it has exited. The data directory stays as the crash left it.</summary>
    /// <exception cref="InvalidOperationException">The replica is not running.</exception>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsRunning)
                throw new InvalidOperationException($"{this} is not running.");
            var server = _server!;
            _server = null;
            await server.KillAsync().ConfigureAwait(false);
            _lastLogs = server.RecentLogs;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the process gracefully (SIGTERM, then SIGKILL after 10 s); does nothing when it is not running.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopUnderGateAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"shard {Shard} replica {Index}";

    /// <summary>Starts the replica unless it is running.</summary>
    internal async Task EnsureRunningAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsRunning)
                await StartUnderGateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StartUnderGateAsync(CancellationToken cancellationToken)
    {
        // A process that died on its own still holds its temporary directory until disposed.
        await StopUnderGateAsync().ConfigureAwait(false);
        var options = _port == 0 ? _options : _options with { Port = _port };
        _server = await PrometheusServer.StartAsync(options, cancellationToken).ConfigureAwait(false);
        _port = _server.BaseUri.Port;
    }

    private async Task StopUnderGateAsync()
    {
        if (_server is not { } server)
            return;
        _server = null;
        _lastLogs = server.RecentLogs;
        await server.DisposeAsync().ConfigureAwait(false);
    }
}
