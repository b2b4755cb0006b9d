using Headroom.PromQL;

namespace Headroom.Prometheus.RemoteWrite;

/// <summary>
/// A bounded queue in front of a <see cref="RemoteWriteClient"/>: samples are batched (up to
/// <see cref="RemoteWriteOptions.MaxSamplesPerSend"/>, or whatever waited <see cref="RemoteWriteOptions.BatchSendDeadline"/>),
/// sent in order by one sender, and a failed request is sent again with exponential backoff until it is taken
/// (5xx, 429, network) or refused for good (other 4xx, dropped and counted). Samples arriving at a full queue are
/// dropped and counted: nothing is lost without the observer hearing of it.
/// </summary>
/// <remarks>
/// One sender keeps each series' samples in time order, which receivers require; a ruler writes a few thousand samples
/// per evaluation, far below what one connection carries, so Prometheus' parallel shards would buy nothing here.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Prometheus' own name for this part of remote write: the queue is what users read about in its docs and metrics.")]
public sealed class RemoteWriteQueue : IAsyncDisposable
{
    private readonly RemoteWriteClient _client;
    private readonly RemoteWriteOptions _options;
    private readonly IRemoteWriteObserver _observer;
    private readonly TimeProvider _time;
    private readonly Action<string>? _log;
    private readonly Queue<(Labels Labels, FloatPoint Sample)> _queue = new();
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _sender;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _oldestEnqueued;
    private int _inFlight;
    private volatile bool _stopping;

    /// <param name="client">Where batches go.</param>
    /// <param name="options">Batching, retries and capacity.</param>
    /// <param name="observer">Hears what was sent, dropped and retried.</param>
    /// <param name="time">The clock for deadlines and backoff.</param>
    /// <param name="log">Hears each failed request's message (rate: one per attempt); null to stay quiet.</param>
    public RemoteWriteQueue(RemoteWriteClient client, RemoteWriteOptions options, IRemoteWriteObserver observer, TimeProvider? time = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(observer);
        options.Validate();
        _client = client;
        _options = options;
        _observer = observer;
        _time = time ?? TimeProvider.System;
        _log = log;
        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>Samples waiting, queued or in the request being sent.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
                return _queue.Count + _inFlight;
        }
    }

    /// <summary>
    /// Queues every sample of <paramref name="series"/> (each series' samples in time order). What does not fit is
    /// dropped with reason <see cref="DropReasons.QueueFull"/>.
    /// </summary>
    /// <returns>How many samples were queued.</returns>
    public int Enqueue(IEnumerable<WriteSeries> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        int accepted = 0, dropped = 0, pending;
        lock (_lock)
        {
            foreach (var s in series)
            {
                foreach (var sample in s.Samples)
                {
                    if (_stopping || _queue.Count + _inFlight >= _options.Capacity)
                    {
                        dropped++;
                        continue;
                    }
                    if (_queue.Count == 0)
                        _oldestEnqueued = _time.GetTimestamp();
                    _queue.Enqueue((s.Labels, sample));
                    accepted++;
                }
            }
            pending = _queue.Count + _inFlight;
            _wake.TrySetResult();
        }
        if (dropped > 0)
            _observer.Dropped(_stopping ? DropReasons.Shutdown : DropReasons.QueueFull, dropped);
        _observer.Pending(pending);
        return accepted;
    }

    /// <summary>
    /// Sends what waits, then stops. Whatever is still unsent after <paramref name="flushTimeout"/> (the receiver down,
    /// say) is dropped with reason <see cref="DropReasons.Shutdown"/>.
    /// </summary>
    public async Task StopAsync(TimeSpan flushTimeout)
    {
        lock (_lock)
        {
            _stopping = true;
            _wake.TrySetResult();
        }
        if (await Task.WhenAny(_sender, Task.Delay(flushTimeout, _time)).ConfigureAwait(false) != _sender)
            await _abort.CancelAsync().ConfigureAwait(false);
        await _sender.ConfigureAwait(false);
    }

    /// <summary>Stops without waiting for a flush.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_sender.IsCompleted)
            await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        _abort.Dispose();
    }

    private async Task SendLoopAsync()
    {
        var token = _abort.Token;
        try
        {
            while (true)
            {
                var batch = await NextBatchAsync(token).ConfigureAwait(false);
                if (batch is null)
                    return;
                await SendAsync(batch, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            int left;
            lock (_lock)
            {
                left = _queue.Count + _inFlight;
                _queue.Clear();
                _inFlight = 0;
            }
            if (left > 0)
                _observer.Dropped(DropReasons.Shutdown, left);
            _observer.Pending(0);
        }
    }

    /// <summary>Waits for a full batch, the deadline of the oldest sample, or the stop; null once stopped and empty.</summary>
    private async Task<List<(Labels Labels, FloatPoint Sample)>?> NextBatchAsync(CancellationToken token)
    {
        while (true)
        {
            Task wake;
            TimeSpan wait;
            lock (_lock)
            {
                var waited = _time.GetElapsedTime(_oldestEnqueued);
                if (_queue.Count > 0 && (_stopping || _queue.Count >= _options.MaxSamplesPerSend || waited >= _options.BatchSendDeadline))
                {
                    var batch = new List<(Labels, FloatPoint)>(Math.Min(_queue.Count, _options.MaxSamplesPerSend));
                    while (batch.Count < _options.MaxSamplesPerSend && _queue.TryDequeue(out var item))
                        batch.Add(item);
                    _inFlight = batch.Count;
                    _oldestEnqueued = _time.GetTimestamp();
                    return batch;
                }
                if (_queue.Count == 0 && _stopping)
                    return null;
                if (_wake.Task.IsCompleted)
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wake = _wake.Task;
                wait = _queue.Count == 0 ? Timeout.InfiniteTimeSpan : _options.BatchSendDeadline - waited;
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
            var delay = wait == Timeout.InfiniteTimeSpan ? Task.Delay(Timeout.Infinite, stop.Token) : Task.Delay(wait, _time, stop.Token);
            await Task.WhenAny(wake, delay).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            token.ThrowIfCancellationRequested();
        }
    }

    private async Task SendAsync(List<(Labels Labels, FloatPoint Sample)> batch, CancellationToken token)
    {
        // Group by series, keeping each series' samples in the order they came (time order).
        var bySeries = new Dictionary<Labels, List<FloatPoint>>();
        var order = new List<Labels>();
        var highest = long.MinValue;
        foreach (var (labels, sample) in batch)
        {
            if (!bySeries.TryGetValue(labels, out var samples))
            {
                bySeries[labels] = samples = [];
                order.Add(labels);
            }
            samples.Add(sample);
            highest = Math.Max(highest, sample.T);
        }
        var body = RemoteWriteClient.Compress(WriteRequestCodec.Encode([.. order.Select(l => new WriteSeries(l, bySeries[l]))]));
        var backoff = _options.MinBackoff;
        while (true)
        {
            var result = await _client.SendAsync(body, token).ConfigureAwait(false);
            if (result.Status == RemoteWriteStatus.Sent)
            {
                _observer.Sent(batch.Count, highest);
                break;
            }
            if (result.Status == RemoteWriteStatus.Rejected)
            {
                _log?.Invoke($"remote write refused {batch.Count} samples for good: {result.Message}");
                _observer.Dropped(DropReasons.Rejected, batch.Count);
                break;
            }
            _observer.FailedRequest();
            _log?.Invoke($"remote write of {batch.Count} samples failed, sending again in {backoff.TotalMilliseconds:F0} ms: {result.Message}");
            await Task.Delay(backoff, _time, token).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
        int pending;
        lock (_lock)
        {
            _inFlight = 0;
            pending = _queue.Count;
        }
        _observer.Pending(pending);
    }
}
