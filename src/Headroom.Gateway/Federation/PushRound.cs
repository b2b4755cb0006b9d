namespace Headroom.Gateway.Federation;

/// <summary>
/// One pushed aggregation sent to its shards at once: tells a shard still waiting for its replica when every other
/// shard has finished, so it can tell a hung replica (the others done long ago) from a query that is slow everywhere
/// (load), and send the query to its next replica only in the first case (<see cref="ShardSource.PushAsync"/>).
/// </summary>
internal sealed class PushRound
{
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly TaskCompletionSource<TimeSpan> _othersFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _unfinished;

    /// <param name="shards">How many shards the aggregation is sent to.</param>
    /// <param name="time">The clock; the system's by default.</param>
    public PushRound(int shards, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _started = _time.GetTimestamp();
        _unfinished = shards;
        if (shards <= 1)
        {
            // A single shard has no other to compare with: its patience counts from the start.
            _othersFinished.SetResult(TimeSpan.Zero);
        }
    }

    /// <summary>The clock the round is timed by.</summary>
    public TimeProvider Time => _time;

    /// <summary>How long since the round was sent.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>A shard has its answer, or has failed on every replica.</summary>
    public void Finished()
    {
        if (Interlocked.Decrement(ref _unfinished) == 1)
        {
            _othersFinished.TrySetResult(Elapsed);
        }
    }

    /// <summary>
    /// Completes, for the one shard still unfinished, when every other shard has finished: with how long after the
    /// start the last of them did. Never completes while two or more shards are unfinished.
    /// </summary>
    public Task<TimeSpan> OthersFinishedAsync(CancellationToken cancellationToken) => _othersFinished.Task.WaitAsync(cancellationToken);
}
