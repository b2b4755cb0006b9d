using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Headroom.PromQL;

namespace Headroom.Gateway.Federation;

/// <summary>
/// Merges series streams that each come sorted by labels into one sorted stream of groups: the copies of one label
/// set from every stream that holds it, in stream order. Every stream is read at once by its own task into a small
/// bounded queue, so all backends work concurrently, a group is handed on as soon as every live stream has passed its
/// labels, and memory holds at most <see cref="Prefetch"/> series per stream beyond what the caller keeps.
/// </summary>
/// <remarks>
/// A stream that fails, or sends a series that sorts before one it already passed (which would make the merged answer
/// unsorted or hold a series twice), is reported to the caller's failure handler with the number of series it had sent;
/// the handler throws to end the merge or returns to go on without that stream. Stopping the enumeration (or
/// cancelling it) cancels every stream still running and waits for their tasks.
/// </remarks>
internal static class SortedSeriesMerge
{
    /// <summary>
    /// Series read ahead per stream. Enough to keep a stream's reader busy while the merge waits on a slower one
    /// (a series is one frame or a few); small enough that 8 clients × 8 replicas hold a few thousand series at most.
    /// </summary>
    public const int Prefetch = 16;

    /// <param name="inputs">
    /// The streams, each started with the merge's token. Each item is one label set's copies within that stream (most
    /// often one series); items come in strictly increasing label order.
    /// </param>
    /// <param name="failed">Called with the stream's index, its error and how many items it had sent; throws to end the merge.</param>
    /// <param name="patience">
    /// Once one stream has ended cleanly, how long the others may still take: at least this, or as long again as that
    /// stream took, whichever is longer. A stream still running then is stopped and reported as failed, so one replica
    /// that hangs costs a query this long rather than the backend timeout. Null: the others are waited for.
    /// </param>
    /// <param name="cancellationToken">Stops every stream.</param>
    public static async IAsyncEnumerable<List<Series>> MergeAsync(IReadOnlyList<Func<CancellationToken, IAsyncEnumerable<List<Series>>>> inputs,
        Action<int, Exception, int> failed, TimeSpan? patience = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var feeds = new Feed[inputs.Count];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var firstEnded = 0;
        void Ended(int index)
        {
            if (patience is not { } least || feeds.Length < 2 || Interlocked.Exchange(ref firstEnded, 1) == 1)
            {
                return;
            }
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            _ = StopLateAsync(feeds, index, elapsed > least ? elapsed : least, stop.Token);
        }
        for (var i = 0; i < feeds.Length; i++)
        {
            var index = i;
            feeds[i] = new Feed(inputs[i], () => Ended(index), stop.Token);
        }
        try
        {
            var heads = new List<Series>?[feeds.Length];
            var taken = new List<int>(feeds.Length);
            for (var i = 0; i < feeds.Length; i++)
            {
                taken.Add(i);
            }
            while (true)
            {
                // Refill only after the last group was handed on: a stream that is slow to send its next item (or that
                // fails) does not hold back a group every stream has already passed.
                foreach (var i in taken)
                {
                    heads[i] = await NextAsync(feeds[i], i, failed, cancellationToken).ConfigureAwait(false);
                }
                taken.Clear();
                cancellationToken.ThrowIfCancellationRequested();
                Labels? lowest = null;
                foreach (var head in heads)
                {
                    if (head is not null && (lowest is null || Labels.Compare(head[0].Labels, lowest) < 0))
                    {
                        lowest = head[0].Labels;
                    }
                }
                if (lowest is null)
                {
                    yield break;
                }
                var group = new List<Series>(feeds.Length);
                for (var i = 0; i < feeds.Length; i++)
                {
                    if (heads[i] is { } head && head[0].Labels.Equals(lowest))
                    {
                        group.AddRange(head);
                        heads[i] = null;
                        taken.Add(i);
                    }
                }
                yield return group;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var feed in feeds)
            {
                await feed.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>After <paramref name="grace"/>, stops every stream but <paramref name="first"/> that is still running.</summary>
    private static async Task StopLateAsync(Feed[] feeds, int first, TimeSpan grace, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(grace, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        for (var i = 0; i < feeds.Length; i++)
        {
            if (i != first)
            {
                feeds[i].Abandon(new TimeoutException($"still answering {grace.TotalSeconds:0.#} s after another replica had answered in full; left out"));
            }
        }
    }

    /// <summary>The next item of stream <paramref name="i"/>, or null when it ended or failed (after telling the handler).</summary>
    private static async ValueTask<List<Series>?> NextAsync(Feed feed, int i, Action<int, Exception, int> failed, CancellationToken cancellationToken)
    {
        if (feed.Done)
        {
            return null;
        }
        var passed = feed.Last;
        var (item, error) = await feed.ReadAsync(cancellationToken).ConfigureAwait(false);
        var sent = feed.Count;
        if (item is not null && passed is not null && Labels.Compare(item[0].Labels, passed) <= 0)
        {
            error = new InvalidDataException($"it sent {item[0].Labels} after {passed}, out of label order");
            item = null;
            sent--;
        }
        if (error is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            feed.Stop();
            failed(i, error, sent);
        }
        return item;
    }

    /// <summary>One stream read by its own task into a bounded queue.</summary>
    private sealed class Feed : IAsyncDisposable
    {
        private readonly Channel<List<Series>> _queue = Channel.CreateBounded<List<Series>>(
            new BoundedChannelOptions(Prefetch) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        private readonly CancellationTokenSource _stop;
        private readonly Task _pump;
        private readonly Action _ended;
        private Exception? _error;
        private volatile Exception? _abandoned;
        private volatile bool _finished;

        /// <param name="ended">Called when the stream has ended cleanly (every item queued).</param>
        public Feed(Func<CancellationToken, IAsyncEnumerable<List<Series>>> input, Action ended, CancellationToken token)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(token);
            _ended = ended;
            var stop = _stop.Token;
            _pump = Task.Run(() => PumpAsync(input, stop), CancellationToken.None);
        }

        /// <summary>Items taken from the stream so far.</summary>
        public int Count { get; private set; }

        /// <summary>Whether the stream ended, failed or was stopped: nothing more comes from it.</summary>
        public bool Done { get; private set; }

        private async Task PumpAsync(Func<CancellationToken, IAsyncEnumerable<List<Series>>> input, CancellationToken token)
        {
            try
            {
                await foreach (var item in input(token).WithCancellation(token).ConfigureAwait(false))
                {
                    await _queue.Writer.WriteAsync(item, token).ConfigureAwait(false);
                }
                _finished = true;
                _ended();
            }
            catch (Exception e)
            {
                // Read by the merge after the queue completes; the channel's completion orders the two.
                _error = _abandoned ?? e;
            }
            finally
            {
                _queue.Writer.TryComplete();
            }
        }

        /// <summary>The labels of the item last read; null before the first.</summary>
        public Labels? Last { get; private set; }

        public async ValueTask<(List<Series>? Item, Exception? Error)> ReadAsync(CancellationToken cancellationToken)
        {
            var reader = _queue.Reader;
            while (true)
            {
                if (reader.TryRead(out var item))
                {
                    Count++;
                    Last = item[0].Labels;
                    return (item, null);
                }
                if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    Done = true;
                    return (null, _error);
                }
            }
        }

        /// <summary>Stops a stream still running, which then fails with <paramref name="reason"/>; one that ended is left alone.</summary>
        public void Abandon(Exception reason)
        {
            if (_finished)
            {
                return;
            }
            _abandoned = reason;
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The merge ended meanwhile.
            }
        }

        public void Stop()
        {
            Done = true;
            _stop.Cancel();
        }

        public async ValueTask DisposeAsync()
        {
            Done = true;
            await _stop.CancelAsync().ConfigureAwait(false);
            // The pump catches everything; waiting for it means no backend read outlives the merge.
            await _pump.ConfigureAwait(false);
            _stop.Dispose();
        }
    }
}
