using Headroom.Prometheus;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Headroom.Sharding;

/// <summary>
/// Keeps a fleet's shards planned as the fleet changes. Every reconcile re-reads the targets and what each target
/// scrapes, places new targets, and re-plans with more shards when a shard would go over the high watermark (or with
/// fewer when every shard would be under the low one). A moved target is scraped by its old and its new shard for
/// <see cref="AutoscalerOptions.Overlap"/> before the old one drops it; a shard left with no targets is retired (it
/// stops scraping but stays in the topology, readable, until its retention passes). One reshard at a time: no re-plan
/// while handovers are in progress.
/// </summary>
public sealed partial class Autoscaler
{
    private readonly AutoscalerOptions _options;
    private readonly IShardRuntime _runtime;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<CancellationToken, Task<IReadOnlyDictionary<string, long>>>? _measure;
    private readonly List<ShardState> _shards = [];
    private readonly Dictionary<string, string> _owner = new(StringComparer.Ordinal);
    private readonly List<Handover> _handovers = [];
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);
    private Dictionary<string, long> _seriesByShard = new(StringComparer.Ordinal);
    private Snapshot _published = new([], 0, new Dictionary<string, string>());
    private string? _writtenTopology;
    private long _generation;
    private int _nextShard;

    /// <param name="options">The settings (see <see cref="AutoscalerConfigReader"/>).</param>
    /// <param name="runtime">Where shards run.</param>
    /// <param name="http">Reaches the source or the shards.</param>
    /// <param name="time">The clock; every decision reads it.</param>
    /// <param name="metrics">The autoscaler's metrics.</param>
    /// <param name="logger">Where decisions are logged.</param>
    public Autoscaler(AutoscalerOptions options, IShardRuntime runtime, HttpClient http, TimeProvider? time = null,
        AutoscalerMetrics? metrics = null, ILogger? logger = null)
        : this(options, runtime, http, time, metrics, logger, measure: null)
    {
    }

    /// <param name="measure">Series per target instead of asking the source or the shards (tests drive the decisions with it).</param>
    internal Autoscaler(AutoscalerOptions options, IShardRuntime runtime, HttpClient http, TimeProvider? time,
        AutoscalerMetrics? metrics, ILogger? logger, Func<CancellationToken, Task<IReadOnlyDictionary<string, long>>>? measure)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(http);
        _options = options;
        _runtime = runtime;
        _http = http;
        _time = time ?? TimeProvider.System;
        Metrics = metrics ?? new AutoscalerMetrics();
        _logger = logger ?? NullLogger.Instance;
        _measure = measure;
    }

    /// <summary>The autoscaler's metrics.</summary>
    public AutoscalerMetrics Metrics { get; }

    /// <summary>Every shard still readable after the last reconcile: scraping, retiring or retired within its retention.</summary>
    public IReadOnlyList<ShardState> Shards => Volatile.Read(ref _published).Shards;

    /// <summary>Shards scraping and not retiring after the last reconcile.</summary>
    public IReadOnlyList<ShardState> Scraping => [.. Shards.Where(static s => s.RetiredAt is null && !s.Retiring)];

    /// <summary>Targets scraped by two shards after the last reconcile.</summary>
    public int HandoversInProgress => Volatile.Read(ref _published).Handovers;

    /// <summary>The shard each target belongs to after the last reconcile (during a handover, the new one).</summary>
    public IReadOnlyDictionary<string, string> Owners => Volatile.Read(ref _published).Owners;

    /// <summary>
    /// What readers on other threads see: a copy made at the end of each reconcile, so they never see one half-done
    /// (three shards while two are starting) nor a collection being changed.
    /// </summary>
    private sealed record Snapshot(IReadOnlyList<ShardState> Shards, int Handovers, IReadOnlyDictionary<string, string> Owners);

    private void Publish() => Volatile.Write(ref _published,
        new Snapshot([.. _shards], _handovers.Count, new Dictionary<string, string>(_owner, StringComparer.Ordinal)));

    /// <summary>
    /// Reconciles every <see cref="AutoscalerOptions.ReconcileInterval"/> until <paramref name="cancellationToken"/>
    /// fires or <paramref name="maxReconciles"/> have run. A failed reconcile is logged and counted; the next one tries again.
    /// </summary>
    public async Task RunAsync(int? maxReconciles = null, CancellationToken cancellationToken = default)
    {
        for (var i = 0; maxReconciles is null || i < maxReconciles; i++)
        {
            await ReconcileAsync(cancellationToken).ConfigureAwait(false);
            if (maxReconciles is { } max && i + 1 >= max)
                break;
            await Task.Delay(_options.ReconcileInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Why the last reconcile failed; null when it succeeded.</summary>
    public string? LastProblem { get; private set; }

    /// <summary>One reconcile, bounded by <see cref="AutoscalerOptions.ReconcileTimeout"/>.</summary>
    /// <returns>Whether it succeeded.</returns>
    public async Task<bool> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ReconcileTimeout);
        try
        {
            await ReconcileOnceAsync(timeout.Token).ConfigureAwait(false);
            Publish();
            Metrics.Reconciled(true, _time.GetUtcNow());
            LastProblem = null;
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Publish();
            Metrics.Reconciled(false, _time.GetUtcNow());
            var message = e is OperationCanceledException ? $"did not finish within {_options.ReconcileTimeout.TotalSeconds:0} s" : e.Message;
            LastProblem = message;
            // The message names the problem; the stack only helps a developer, so it is logged at debug.
            Log.ReconcileFailed(_logger, message);
            Log.ReconcileFailedDetail(_logger, e);
            return false;
        }
    }

    /// <summary>A target scraped by two shards until <see cref="Until"/>.</summary>
    private sealed record Handover(string Target, string From, string To, DateTimeOffset Until);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "reconcile failed, the next one tries again: {Problem}")]
        public static partial void ReconcileFailed(ILogger logger, string problem);

        [LoggerMessage(Level = LogLevel.Debug, Message = "reconcile failure in detail")]
        public static partial void ReconcileFailedDetail(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Information, Message = "re-plan: {From} -> {To} shards for {Targets} targets, {Series} series; {Moved} targets ({MovedSeries} series) hand over until {Until:O}")]
        public static partial void Replanned(ILogger logger, int from, int to, int targets, long series, int moved, long movedSeries, DateTimeOffset until);

        [LoggerMessage(Level = LogLevel.Information, Message = "shard {Shard} started at {Replicas}")]
        public static partial void Started(ILogger logger, string shard, string replicas);

        [LoggerMessage(Level = LogLevel.Information, Message = "shard {Shard} retired: no longer scraping, readable until {Until:O}")]
        public static partial void Retired(ILogger logger, string shard, DateTimeOffset until);

        [LoggerMessage(Level = LogLevel.Information, Message = "shard {Shard} stopped: its retention has passed")]
        public static partial void Stopped(ILogger logger, string shard);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Shards} shards, the most allowed, hold {Series} series: the largest shard is over the high watermark ({Watermark} series); raise max_shards or the budget")]
        public static partial void AtMaxShards(ILogger logger, int shards, long series, long watermark);
    }
}
