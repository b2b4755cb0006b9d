using Headroom.Ruler.Evaluation;
using Headroom.Ruler.Rules;
using Microsoft.Extensions.Logging;

namespace Headroom.Ruler;

/// <summary>
/// Reloading the rule files while the ruler runs (SIGHUP or <c>POST /-/reload</c>), as Prometheus reloads its rules:
/// a bad file is refused whole and the rules loaded before keep running; a group that did not change (same file, name,
/// settings and rules) runs on untouched, its loop and state as they were; a changed group takes over the state of the
/// same group before (its alerts and the series it wrote last, matched rule by rule on name and labels), and the series
/// of removed groups and rules end with staleness markers.
/// </summary>
public sealed partial class Ruler
{
    /// <summary>
    /// Reads the rule files again and replaces the groups. When they have problems, the old rules keep running and the
    /// answer carries the problems of this reload (its own: a concurrent reload cannot clear them before the caller reads
    /// them, as a shared "last problems" property could).
    /// </summary>
    /// <param name="reason">What asked for it (<c>SIGHUP</c>, <c>POST /-/reload</c>), for the log.</param>
    /// <param name="cancellationToken">Stops waiting for another reload under way.</param>
    public async Task<RuleReload> ReloadAsync(string reason, CancellationToken cancellationToken = default)
    {
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _stopped) == 1)
                return new RuleReload(false, "the ruler is stopping; nothing was reloaded");
            IReadOnlyList<LoadedGroup> loaded;
            try
            {
                loaded = RuleLoader.Load(_options.RuleFiles, _options.EvaluationInterval);
            }
            catch (RuleLoadException e)
            {
                Metrics.Reloaded(succeeded: false, _time.GetUtcNow());
                Log.ReloadRefused(_logger, reason, GroupCount, e.Message);
                return new RuleReload(false, $"The rule files have problems:\n{e.Message}");
            }
            // Started and not stopped: the loops run (none when no group was loaded), and the new groups must run too.
            var running = Ready;
            var old = _groups.ToDictionary(static g => g.Group.Key, StringComparer.Ordinal);
            // An unchanged group keeps its evaluator and its loop: its pending 'for' timers, firing alerts and evaluation
            // times go on as if there had been no reload, and an evaluation of it under way does not hold the reload up.
            var kept = loaded.Where(g => old.TryGetValue(g.Key, out var before) && before.Group.SameAs(g)).Select(static g => g.Key).ToHashSet(StringComparer.Ordinal);
            await StopLoopsAsync(old.Keys.Where(k => !kept.Contains(k))).ConfigureAwait(false);
            var fresh = new List<GroupEvaluator>(loaded.Count);
            foreach (var group in loaded)
            {
                old.Remove(group.Key, out var before);
                if (kept.Contains(group.Key))
                {
                    fresh.Add(before!);
                    continue;
                }
                var evaluator = NewEvaluator(group);
                if (before is not null)
                    evaluator.CarryOver(before);
                fresh.Add(evaluator);
            }
            // What is left was removed: its series end now, as a removed group's do in Prometheus.
            var now = _time.GetUtcNow();
            foreach (var (key, gone) in old)
            {
                Write(gone.End(now));
                Metrics.RemoveGroup(key);
            }
            _groups = fresh;
            foreach (var group in fresh)
                Metrics.Group(group.Group.Key, group.Group.Interval);
            if (running)
                StartLoops(fresh.Where(g => !kept.Contains(g.Group.Key)));
            Metrics.Reloaded(succeeded: true, now);
            Log.Reloaded(_logger, reason, fresh.Count, RuleCount, old.Count, kept.Count);
            return new RuleReload(true, null);
        }
        finally
        {
            _reload.Release();
        }
    }

    private GroupEvaluator NewEvaluator(LoadedGroup group) => new(group, _overlay, _engine, _externalLabels, _externalUrl);

    private void StartLoops() => StartLoops(_groups);

    /// <summary>Starts a loop for each of <paramref name="groups"/>, beside the loops already running.</summary>
    private void StartLoops(IEnumerable<GroupEvaluator> groups)
    {
        var loops = new Dictionary<string, (CancellationTokenSource, Task)>(_loops, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            loops.Add(group.Group.Key, (stop, Task.Run(() => RunGroupAsync(group, stop.Token, _stop.Token))));
        }
        _loops = loops;
    }

    /// <summary>Ends the loops of the groups <paramref name="keys"/> after the evaluation under way, if any, and waits for them.</summary>
    private async Task StopLoopsAsync(IEnumerable<string> keys)
    {
        var loops = new Dictionary<string, (CancellationTokenSource Stop, Task Loop)>(_loops, StringComparer.Ordinal);
        var stopping = new List<(CancellationTokenSource Stop, Task Loop)>();
        foreach (var key in keys)
        {
            if (loops.Remove(key, out var loop))
                stopping.Add(loop);
        }
        foreach (var (stop, _) in stopping)
            await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(stopping.Select(static l => l.Loop)).ConfigureAwait(false);
        foreach (var (stop, _) in stopping)
            stop.Dispose();
        _loops = loops;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "rules reloaded ({Reason}): {Groups} groups ({Rules} rules), {Removed} groups removed, {Unchanged} unchanged groups run on untouched")]
        public static partial void Reloaded(ILogger logger, string reason, int groups, int rules, int removed, int unchanged);

        [LoggerMessage(Level = LogLevel.Error, Message = "rules not reloaded ({Reason}); the {Groups} groups loaded before keep running. The rule files have problems:\n{Problems}")]
        public static partial void ReloadRefused(ILogger logger, string reason, int groups, string problems);
    }
}

/// <summary>What a reload of the rule files did.</summary>
/// <param name="Succeeded">The new rule files replaced the groups.</param>
/// <param name="Problems">Why not, when they did not: every problem with its file and line.</param>
public sealed record RuleReload(bool Succeeded, string? Problems);
