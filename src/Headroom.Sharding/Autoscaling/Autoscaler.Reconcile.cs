using System.Globalization;
using Headroom.Prometheus;
using Headroom.Prometheus.Client;

namespace Headroom.Sharding;

public sealed partial class Autoscaler
{
    private async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var fleet = TargetFile.Read(_options.TargetsFile);
        var live = fleet.Select(static t => t.Id).ToHashSet(StringComparer.Ordinal);
        Directory.CreateDirectory(_options.Directory);

        _handovers.RemoveAll(h => h.Until <= now || !live.Contains(h.Target));
        await RetireAsync(now, cancellationToken).ConfigureAwait(false);
        foreach (var gone in _owner.Keys.Where(k => !live.Contains(k)).ToList())
            _owner.Remove(gone);

        var measured = await MeasureAsync(cancellationToken).ConfigureAwait(false);
        var (targets, estimated) = SeriesOf(fleet, measured);
        PlaceNewTargets(targets);
        if (_handovers.Count == 0)
            await ReplanAsync(targets, estimated, now, cancellationToken).ConfigureAwait(false);

        var series = targets.ToDictionary(static t => t.Id, static t => t.Series, StringComparer.Ordinal);
        _seriesByShard = _owner.GroupBy(static o => o.Value, StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, g => g.Sum(o => series.GetValueOrDefault(o.Key)), StringComparer.Ordinal);
        await WriteAsync(fleet, now, cancellationToken).ConfigureAwait(false);
        Metrics.Observe(ScrapingNow(), _seriesByShard, _handovers.Count);
    }

    /// <summary>The shards scraping and not retiring, from the reconcile's own state (not the published snapshot).</summary>
    private List<ShardState> ScrapingNow() => [.. _shards.Where(static s => s.RetiredAt is null && !s.Retiring)];

    /// <summary>
    /// Retires shards whose handovers are done (their file empties; the last scrape's staleness markers land within a
    /// refresh and a scrape interval) and stops those whose retention has passed.
    /// </summary>
    private async Task RetireAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _shards.Count; i++)
        {
            var shard = _shards[i];
            if (shard.Retiring && shard.RetiredAt is null && !_handovers.Any(h => h.From == shard.Name))
            {
                _shards[i] = shard with { RetiredAt = now + _options.FileSdRefresh + _options.ScrapeInterval };
                Log.Retired(_logger, shard.Name, _shards[i].RetiredAt!.Value + _options.Retention);
            }
        }
        foreach (var shard in _shards.Where(s => s.RetiredAt + _options.Retention <= now).ToList())
        {
            await _runtime.StopAsync(shard.Name, cancellationToken).ConfigureAwait(false);
            _shards.Remove(shard);
            _written.Remove(shard.Name);
            Log.Stopped(_logger, shard.Name);
        }
    }

    /// <summary>Series per target from the source, or from every scraping shard (the largest answer per target).</summary>
    private async Task<IReadOnlyDictionary<string, long>> MeasureAsync(CancellationToken cancellationToken)
    {
        if (_measure is not null)
            return await _measure(cancellationToken).ConfigureAwait(false);
        if (_options.Source is { } source)
            return (await UsageReader.ReadAsync(new PrometheusClient(_http, source), _options.Job, cancellationToken).ConfigureAwait(false)).SeriesByTarget;
        var merged = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var shard in _shards.Where(static s => s.RetiredAt is null))
        {
            var answer = await UsageReader.ReadAsync(new PrometheusClient(_http, shard.Replicas[0]), _options.Job, cancellationToken).ConfigureAwait(false);
            foreach (var (target, count) in answer.SeriesByTarget)
                merged[target] = Math.Max(count, merged.GetValueOrDefault(target));
        }
        return merged;
    }

    private (IReadOnlyList<ShardTarget> Targets, int Estimated) SeriesOf(IReadOnlyList<FileSdTarget> fleet, IReadOnlyDictionary<string, long> measured)
    {
        if (measured.Count == 0)
            return ([.. fleet.Select(t => new ShardTarget(t.Id, _options.DefaultTargetSeries))], fleet.Count);
        return new FleetMeasurement(measured, []).SeriesOf(fleet);
    }

    /// <summary>
    /// Re-plans when a shard is over the high watermark (never to fewer shards) or, once every target has been
    /// measured, when all are under the low one; otherwise the assignment stands, so the fleet's drift moves nothing.
    /// </summary>
    private async Task ReplanAsync(IReadOnlyList<ShardTarget> targets, int estimated, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var scraping = ScrapingNow();
        var before = scraping.Count;
        var index = scraping.Select((s, i) => (s.Name, i)).ToDictionary(static p => p.Name, static p => p.i, StringComparer.Ordinal);
        var held = targets.Where(t => _owner.TryGetValue(t.Id, out var o) && index.ContainsKey(o)).ToList();
        var previous = held.Count == 0 ? null : new ShardPlan(held, [.. held.Select(t => index[_owner[t.Id]])], Math.Max(1, scraping.Count));
        var total = targets.Sum(static t => t.Series);
        var wanted = (int)Math.Clamp((total + _options.TargetSeries - 1) / Math.Max(1, _options.TargetSeries), _options.MinShards, _options.MaxShards);

        var count = wanted;
        if (before > 0)
        {
            var largest = previous is null ? 0 : previous.MaxSeries;
            var high = largest > _options.BudgetSeries * _options.HighWatermark;
            var low = estimated == 0 && largest < _options.BudgetSeries * _options.LowWatermark;
            if (!high && !low)
                return;
            if (high && wanted <= before)
            {
                // More shards are not allowed or not needed by the total: rebalance the ones there are.
                count = before;
                if (wanted == _options.MaxShards && total > before * _options.BudgetSeries * _options.HighWatermark)
                    Log.AtMaxShards(_logger, before, total, (long)(_options.BudgetSeries * _options.HighWatermark));
            }
            if (low && wanted >= before)
                return;
        }
        var plan = ShardPlanner.Plan(targets, count, previous);

        if (count > scraping.Count)
            scraping.AddRange(await StartShardsAsync(count - scraping.Count, now, cancellationToken).ConfigureAwait(false));
        for (var s = count; s < scraping.Count; s++)
        {
            var i = _shards.FindIndex(x => x.Name == scraping[s].Name);
            _shards[i] = _shards[i] with { Retiring = true };
        }

        // From now, not from the reconcile's start: starting shards takes seconds, and the files are written next.
        var until = _time.GetUtcNow() + _options.Overlap;
        var (moved, movedSeries) = (0, 0L);
        foreach (var target in targets)
        {
            var owner = scraping[plan.ShardOf(target.Id)!.Value].Name;
            if (_owner.TryGetValue(target.Id, out var old) && old != owner)
            {
                _handovers.Add(new Handover(target.Id, old, owner, until));
                moved++;
                movedSeries += target.Series;
            }
            _owner[target.Id] = owner;
        }
        if (moved > 0 || count != before)
        {
            Metrics.Moved(movedSeries);
            Log.Replanned(_logger, before, count, targets.Count, total, moved, movedSeries, until);
        }
    }

    /// <summary>New targets go to the scraping shard with the fewest series; a re-plan, if the watermarks call for one, balances them.</summary>
    private void PlaceNewTargets(IReadOnlyList<ShardTarget> targets)
    {
        var scraping = ScrapingNow();
        if (scraping.Count == 0)
            return;
        var loads = scraping.ToDictionary(static s => s.Name, _ => 0L, StringComparer.Ordinal);
        var series = targets.ToDictionary(static t => t.Id, static t => t.Series, StringComparer.Ordinal);
        foreach (var (target, owner) in _owner)
        {
            if (loads.ContainsKey(owner))
                loads[owner] += series.GetValueOrDefault(target);
        }
        foreach (var target in targets.Where(t => !_owner.ContainsKey(t.Id)))
        {
            var least = loads.MinBy(static l => l.Value).Key;
            _owner[target.Id] = least;
            loads[least] += target.Series;
        }
    }

    /// <summary>Starts <paramref name="count"/> shards at once; none is kept unless all started.</summary>
    private async Task<IReadOnlyList<ShardState>> StartShardsAsync(int count, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var names = Enumerable.Range(_nextShard, count).Select(static i => "shard-" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var starts = names.Select(async name =>
        {
            var file = Path.Combine(_options.Directory, name + ".json");
            await FileSdTargetGroup.WriteFileAsync(file, [], cancellationToken).ConfigureAwait(false);
            return new ShardState(name, await _runtime.StartAsync(name, file, cancellationToken).ConfigureAwait(false), file, now);
        }).ToList();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            foreach (var (start, name) in starts.Zip(names).Where(static p => p.First.IsCompletedSuccessfully))
                await _runtime.StopAsync(name, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        _nextShard += count;
        var shards = starts.Select(static s => s.Result).ToList();
        foreach (var shard in shards)
        {
            _shards.Add(shard);
            _written[shard.Name] = "[]";
            var replicas = string.Join(", ", shard.Replicas);
            Log.Started(_logger, shard.Name, replicas);
        }
        return shards;
    }

    /// <summary>Each shard's file (its targets and those it hands over), then the topology, then the runtime's own files.</summary>
    private async Task WriteAsync(IReadOnlyList<FileSdTarget> fleet, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var shard in _shards)
        {
            var targets = shard.RetiredAt is not null
                ? []
                : fleet.Where(t => _owner.GetValueOrDefault(t.Id) == shard.Name || _handovers.Any(h => h.Target == t.Id && h.From == shard.Name)).ToList();
            var groups = TargetFile.GroupsOf(targets);
            var json = FileSdTargetGroup.ToJson(groups);
            // An unchanged file is not rewritten: every write makes Prometheus re-read it.
            if (_written.GetValueOrDefault(shard.Name) == json)
                continue;
            await FileSdTargetGroup.WriteFileAsync(shard.FileSdPath, groups, cancellationToken).ConfigureAwait(false);
            _written[shard.Name] = json;
        }
        // The topology is rewritten only when it changes: the gateway reloads it at every write.
        var topology = TopologyWriter.Render(_shards, 0, DateTimeOffset.UnixEpoch);
        if (topology != _writtenTopology || !File.Exists(_options.TopologyFile))
        {
            _generation++;
            await TopologyWriter.WriteAsync(_options.TopologyFile, _shards, _generation, now, cancellationToken).ConfigureAwait(false);
            _writtenTopology = topology;
        }
        await _runtime.ReconciledAsync(Shards, cancellationToken).ConfigureAwait(false);
    }
}
