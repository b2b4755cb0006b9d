using System.Diagnostics;
using Headroom.Gateway.Pushdown;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;

namespace Headroom.Gateway.Federation;

internal sealed partial class ShardSource
{
    /// <summary>
    /// Evaluates a pushed aggregation on one replica of this shard, asking the next when one fails (unlike a
    /// selection, which reads every replica: one complete answer is all a pushed query can use, since partial
    /// aggregates of two replicas cannot be deduplicated). The answer's labels are made those the gateway would have
    /// computed. Throws <see cref="ShardUnavailableException"/> when no replica answers.
    /// </summary>
    /// <param name="leftEdge">The gateway engine's window edges, which a replica held in process is evaluated with.</param>
    public async Task<List<Series>> PushAsync(PushedAggregation pushed, long start, long end, long step, WindowLeftEdge leftEdge,
        SourceWarnings warnings, CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        foreach (var replica in Replicas)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var queryable = replica as IRangeQueryable ?? new EngineReplica(replica, leftEdge);
                var external = ExternalLabels(await queryable.ExternalLabelsAsync(cancellationToken).ConfigureAwait(false));
                if (pushed.TextFor(external, _replicaLabels) is not { } text)
                {
                    return [];
                }
                var answer = await queryable.QueryRangeAsync(text, start, end, step, warnings, cancellationToken).ConfigureAwait(false);
                _metrics?.BackendRequest(Name, replica, Stopwatch.GetElapsedTime(started), failed: false);
                return [.. answer.Select(s => new Series(pushed.Complete(s.Labels, external, _replicaLabels), s.Points))];
            }
            catch (QueryException)
            {
                // The query's own fault (too many samples, say): the next replica would refuse it too.
                throw;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _metrics?.BackendRequest(Name, replica, Stopwatch.GetElapsedTime(started), failed: true);
                reasons.Add(e.Message);
            }
        }
        throw new ShardUnavailableException(Name, reasons);
    }

    /// <summary>
    /// The labels this shard's series carry in the gateway but not in the replica's TSDB: the replica's own external
    /// labels, then the configured ones it lacks (as <see cref="Normalize"/> adds them), replica labels excepted.
    /// </summary>
    private Labels ExternalLabels(Labels replicaExternal)
    {
        var result = replicaExternal.Any(l => _replicaLabels.Contains(l.Name)) ? replicaExternal.Without([.. _replicaLabels]) : replicaExternal;
        foreach (var label in Info.ExternalLabels)
        {
            if (!result.Has(label.Name))
            {
                result = result.With(label.Name, label.Value);
            }
        }
        return result;
    }
}
