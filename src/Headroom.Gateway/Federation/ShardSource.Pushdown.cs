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
    /// <remarks>
    /// A replica that hangs (SIGSTOP, a dead peer behind a live proxy) would hold the query to the backend timeout
    /// before the next is asked. So once at least half of the other shards of <paramref name="round"/> have answered
    /// series (or every other has finished), this one gets the replica patience more after the last of them did (or as long again as that one took, if
    /// longer), as a selection gives a replica; still unanswered then, the same query goes to the next replica too (a
    /// hedge, once per query), the first complete answer is taken and the other request cancelled. Two shards hung at
    /// once are both hedged. Under ordinary load every shard finishes within seconds of the others, so no hedge
    /// doubles a shard's work (<see cref="PushRound"/> has the rule and why).
    /// </remarks>
    /// <param name="leftEdge">The gateway engine's window edges, which a replica held in process is evaluated with.</param>
    /// <param name="round">The pushed query's requests to all its shards, which this shard reports finishing to.</param>
    public async Task<List<Series>> PushAsync(PushedAggregation pushed, long start, long end, long step, WindowLeftEdge leftEdge,
        SourceWarnings warnings, PushRound round, CancellationToken cancellationToken)
    {
        using var asking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reasons = new List<string>();
        var lower = new List<string>();
        var next = 0;
        var hedged = false;
        var answered = false;
        var inFlight = new List<Task<(List<Series> Answer, SourceWarnings Warnings)>>();
        try
        {
            inFlight.Add(AskAsync(Replicas[next++]));
            var hedge = Replicas.Count > 1 ? round.HedgeDueAsync(_replicaPatience, asking.Token) : null;
            while (true)
            {
                var waiting = new List<Task>(inFlight);
                if (hedge is not null)
                {
                    waiting.Add(hedge);
                }
                var done = await Task.WhenAny(waiting).ConfigureAwait(false);
                if (done == hedge)
                {
                    hedge = null;
                    if (done.IsCompletedSuccessfully && next < Replicas.Count)
                    {
                        _metrics?.PushdownHedge(Name);
                        hedged = true;
                        inFlight.Add(AskAsync(Replicas[next++]));
                    }
                    continue;
                }
                var attempt = (Task<(List<Series> Answer, SourceWarnings Warnings)>)done;
                inFlight.Remove(attempt);
                try
                {
                    var (answer, attemptWarnings) = await attempt.ConfigureAwait(false);
                    // Only the answer taken speaks: a request that lost the race adds no warnings of its own.
                    foreach (var message in attemptWarnings.Messages)
                    {
                        warnings.Add(message);
                    }
                    answered = answer.Count > 0;
                    return answer;
                }
                catch (Exception e) when (e is not QueryException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
                {
                    reasons.Add(e.Message);
                    AddLowerShards(lower, e);
                }
                if (inFlight.Count == 0)
                {
                    if (next == Replicas.Count)
                    {
                        throw new ShardUnavailableException(Name, reasons) { LowerShards = lower };
                    }
                    inFlight.Add(AskAsync(Replicas[next++]));
                }
            }
        }
        finally
        {
            round.Finished(hedged, answered);
            // The request that lost the race to a hedge, or the hedge's timer: neither is needed any more. A cancelled
            // HTTP request ends at once; it is not waited for, so the answer does not wait for its connection to close.
            await asking.CancelAsync().ConfigureAwait(false);
            foreach (var loser in inFlight)
            {
                _ = loser.ContinueWith(static t => t.Exception, CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        async Task<(List<Series> Answer, SourceWarnings Warnings)> AskAsync(ISeriesSource replica)
        {
            var started = Stopwatch.GetTimestamp();
            var own = new SourceWarnings();
            try
            {
                var queryable = replica as IRangeQueryable ?? new EngineReplica(replica, leftEdge);
                var external = ExternalLabels(await queryable.ExternalLabelsAsync(asking.Token).ConfigureAwait(false));
                if (pushed.TextFor(external, _replicaLabels) is not { } text)
                {
                    return ([], own);
                }
                var answer = await queryable.QueryRangeAsync(text, start, end, step, own, asking.Token).ConfigureAwait(false);
                _metrics?.BackendRequest(Name, replica, Stopwatch.GetElapsedTime(started), failed: false);
                return ([.. answer.Select(s => new Series(pushed.Complete(s.Labels, external, _replicaLabels), s.Points))], own);
            }
            // A query error is the query's own fault (too many samples, say): the next replica would refuse it too.
            catch (Exception e) when (e is not QueryException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
            {
                _metrics?.BackendRequest(Name, replica, Stopwatch.GetElapsedTime(started), failed: true);
                throw;
            }
        }
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
