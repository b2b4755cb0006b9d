namespace Headroom.Gateway.Http;

/// <summary>
/// Bounds the queries evaluated at once and those waiting for a slot: past the queue a query is refused at once
/// (503) rather than piling up until every caller times out.
/// </summary>
internal sealed class QueryGate(int concurrent, int queued)
{
    private readonly SemaphoreSlim _slots = new(concurrent, concurrent);
    private int _waiting;

    /// <summary>Waits for a slot; null when the queue is full.</summary>
    public async Task<IDisposable?> EnterAsync(CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, cancellationToken))
        {
            return new Slot(_slots);
        }
        if (Interlocked.Increment(ref _waiting) > queued)
        {
            Interlocked.Decrement(ref _waiting);
            return null;
        }
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Slot(_slots);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
