using System.Collections.Concurrent;
using System.Globalization;
using Headroom.Servers;
using Headroom.Sharding;

namespace Headroom.Demo;

/// <summary>
/// The autoscaler's local mode: each shard is one Prometheus process per replica on a free loopback port (the
/// harness' <see cref="PrometheusServer"/>), scraping its shard's file_sd file and itself, with no shard external label
/// (a target's series must be the same series on whichever shard scrapes it) and a <c>replica</c> label when there are
/// several replicas. Data lives under <c>DIRECTORY/data/</c>. Disposing stops every process. <c>headroom shard
/// autoscale</c> and <c>headroom demo --autoscale</c> both run their shards with it.
/// </summary>
/// <param name="options">The autoscaler's options: replicas, scrape interval, retention, job and directory.</param>
public sealed class LocalShardRuntime(AutoscalerOptions options) : IShardRuntime, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<PrometheusServer>> _servers = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Uri>> StartAsync(string shard, string fileSdPath, CancellationToken cancellationToken)
    {
        var started = new List<PrometheusServer>();
        try
        {
            var tasks = Enumerable.Range(0, options.Replicas).Select(r => PrometheusServer.StartAsync(Options(shard, r, fileSdPath), cancellationToken)).ToList();
            foreach (var task in tasks)
            {
                try
                {
                    started.Add(await task.ConfigureAwait(false));
                }
                catch when (tasks.Count > 1)
                {
                    // Collect the others to stop them below; the first failure is rethrown after.
                    await Task.WhenAll(tasks.Where(t => t != task).Select(t => t.ContinueWith(static _ => { }, TaskScheduler.Default))).ConfigureAwait(false);
                    started.AddRange(tasks.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).Except(started));
                    throw;
                }
            }
        }
        catch
        {
            await Task.WhenAll(started.Select(s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
            throw;
        }
        _servers[shard] = started;
        return [.. started.Select(static s => s.BaseUri)];
    }

    /// <inheritdoc/>
    public async Task StopAsync(string shard, CancellationToken cancellationToken)
    {
        if (_servers.TryRemove(shard, out var servers))
            await Task.WhenAll(servers.Select(s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
        var data = Path.Combine(options.Directory, "data");
        foreach (var directory in Directory.Exists(data) ? Directory.EnumerateDirectories(data, shard + "-r*") : [])
            Directory.Delete(directory, recursive: true);
    }

    /// <inheritdoc/>
    public Task ReconciledAsync(IReadOnlyList<ShardState> shards, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops every Prometheus this runtime started.</summary>
    public async ValueTask DisposeAsync()
    {
        var all = _servers.Values.SelectMany(static s => s).ToList();
        _servers.Clear();
        await Task.WhenAll(all.Select(static s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    private PrometheusOptions Options(string shard, int replica, string fileSdPath) => new()
    {
        ScrapeInterval = Seconds(options.ScrapeInterval),
        EvaluationInterval = Seconds(options.ScrapeInterval),
        Retention = Seconds(options.Retention),
        DataDirectory = Path.Combine(options.Directory, "data", $"{shard}-r{replica.ToString(CultureInfo.InvariantCulture)}"),
        ExternalLabels = options.Replicas > 1
            ? new Dictionary<string, string> { ["replica"] = replica.ToString(CultureInfo.InvariantCulture) }
            : new Dictionary<string, string>(),
        ScrapeConfigsYaml = $"""
            - job_name: '{options.Job}'
              file_sd_configs:
                - files: ['{Path.GetFullPath(fileSdPath).Replace("'", "''", StringComparison.Ordinal)}']
                  refresh_interval: {Seconds(options.FileSdRefresh)}
            """,
    };

    private static string Seconds(TimeSpan duration) =>
        duration.TotalSeconds >= 1 && duration.TotalSeconds % 1 == 0
            ? ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : ((long)Math.Max(1, duration.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";
}
