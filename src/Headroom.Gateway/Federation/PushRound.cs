namespace Headroom.Gateway.Federation;

/// <summary>
/// One pushed aggregation sent to its shards at once: tells a shard still waiting for its replica when to send the
/// query to its next replica too (a hedge, <see cref="ShardSource.PushAsync"/>), from when the other shards finished,
/// so that a hung replica (most other shards done long ago) is told from a query that is slow everywhere (load).
/// </summary>
/// <remarks>
/// <para>
/// A shard's hedge is due once at least half of the other shards (rounded up, at least one) have answered, and it has
/// then waited the replica patience after the last of them answered, at E (or E more when E is longer). A shard that
/// answers later moves E on. So a shard is hedged only when it lags the last shard to answer by the patience and by
/// as long again as that one took: under load every shard is slow alike and none is. With two or more hung at once,
/// the others that answer are enough. Fewer than half answered is no evidence: the query may be slow on most shards,
/// and a hedge would double their work.
/// </para>
/// <para>
/// Only an answer with series counts. A shard that answered nothing (the metric lives on other shards), or failed on
/// every replica, did no work that says how long the query takes: were it counted, two shards without the metric
/// answering in 10 ms would make the two holding it, slow under load, look hung, and both would get a second request.
/// Nor does a shard that was hedged count: its answer came from the hedge, and were it counted, the first of two shards
/// hedged at the same instant could answer before the other's timer fired and put that hedge off by E.
/// </para>
/// <para>
/// Once every other shard has finished, however (empty, failed or hedged alike), the last one is due the patience (or
/// as long again) after the last of them: nothing else is left to wait for, and a hung replica of the one shard holding
/// the metric is then hedged too. Whichever of the two rules is due first, holds.
/// </para>
/// <para>
/// E moves rather than staying at the time the half was reached, so a shard is not hedged while the others are still
/// answering one after another (shards of different sizes): it waits as long as a shard that was last to answer.
/// </para>
/// <para>
/// A single shard has no other to compare with: its patience counts from the start.
/// </para>
/// </remarks>
internal sealed class PushRound
{
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly int _others;
    private readonly int _quorum;
    private readonly Lock _lock = new();
    private int _answered;
    private TimeSpan _lastAnswered;
    private int _finished;
    private TimeSpan _lastFinished;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="shards">How many shards the aggregation is sent to.</param>
    /// <param name="time">The clock; the system's by default.</param>
    public PushRound(int shards, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _started = _time.GetTimestamp();
        // Half of the shards - 1 others, rounded up, is shards / 2; none for a single shard (due from the start).
        _quorum = shards <= 1 ? 0 : Math.Max(1, shards / 2);
        _others = Math.Max(0, shards - 1);
    }

    /// <summary>How long since the round was sent.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>A shard has its answer, or has failed on every replica.</summary>
    /// <param name="hedged">The shard had sent the query to a second replica by then: its finish says nothing of how long the query takes.</param>
    /// <param name="answered">The shard answered series; false for an empty answer or a shard that failed on every replica.</param>
    public void Finished(bool hedged, bool answered)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _finished++;
            _lastFinished = Elapsed;
            if (answered && !hedged)
            {
                _answered++;
                _lastAnswered = _lastFinished;
            }
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.SetResult();
    }

    /// <summary>
    /// Completes when a shard still waiting should send its query to its next replica too: at least half of the other
    /// shards have answered series, and it has waited <paramref name="patience"/> (or E, when longer) since the last of
    /// them did, at E; or every other shard has finished, and it has waited as long after the last of them. Never while
    /// fewer than half of the others have answered and another is unfinished.
    /// </summary>
    public async Task HedgeDueAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            var wait = Timeout.InfiniteTimeSpan;
            lock (_lock)
            {
                changed = _changed.Task;
                TimeSpan? due = _answered >= _quorum ? Due(_lastAnswered, patience) : null;
                if (_finished >= _others && Due(_lastFinished, patience) is var whenAllFinished && (due is null || whenAllFinished < due))
                {
                    due = whenAllFinished;
                }
                if (due is { } at)
                {
                    wait = at - Elapsed;
                    if (wait <= TimeSpan.Zero)
                    {
                        return;
                    }
                    // A timer counts whole milliseconds, truncated: rounded up, it does not fire before the hedge is due.
                    wait = TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds));
                }
            }
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(Task.Delay(wait, _time, timer.Token), changed).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            // Due, or another shard has finished since (its timer may fire before this sees that): look again. Either
            // way the timer is not needed any more.
            await timer.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The patience after <paramref name="last"/>, or as long again when that is longer.</summary>
    private static TimeSpan Due(TimeSpan last, TimeSpan patience) => last + (last > patience ? last : patience);
}
