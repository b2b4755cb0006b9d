using System.Diagnostics;
using System.Text;

namespace Headroom.Benchmarks;

/// <summary>
/// Queries per second at a fixed number of concurrent clients: each client sends the mixed query set one query
/// after another (client i starting at query i), until the duration is over; queries in flight then finish and
/// count. Throughput is completed queries over the time until the last one finished.
/// </summary>
internal static class GatewayLoad
{
    public readonly record struct Throughput(int Completed, int Failed, double Seconds, double MedianLatency, double MaxLatency, string? FirstFailure)
    {
        public double PerSecond => Completed / Seconds;
    }

    /// <param name="http">The client (one connection pool for all clients, as a dashboard's backend would have).</param>
    /// <param name="endpoint">The <c>query_range</c> URI.</param>
    /// <param name="forms">The mixed query set, as form bodies.</param>
    /// <param name="clients">Concurrent clients.</param>
    /// <param name="duration">How long clients keep sending.</param>
    public static async Task<Throughput> RunAsync(HttpClient http, Uri endpoint, IReadOnlyList<string> forms, int clients, TimeSpan duration)
    {
        var latencies = new List<double>();
        var failed = 0;
        string? firstFailure = null;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            for (var i = client; clock.Elapsed < duration; i++)
            {
                var started = clock.Elapsed;
                try
                {
                    using var content = new StringContent(forms[i % forms.Count], Encoding.UTF8, "application/x-www-form-urlencoded");
                    using var response = await http.PostAsync(endpoint, content);
                    var body = await response.Content.ReadAsStringAsync();
                    if (!response.IsSuccessStatusCode || !body.StartsWith("{\"status\":\"success\"", StringComparison.Ordinal))
                        throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {body[..Math.Min(body.Length, 200)]}");
                    lock (latencies)
                        latencies.Add((clock.Elapsed - started).TotalSeconds);
                }
                catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                }
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        latencies.Sort();
        return new Throughput(latencies.Count, failed, seconds, latencies.Count == 0 ? 0 : latencies[latencies.Count / 2],
            latencies.Count == 0 ? 0 : latencies[^1], firstFailure);
    }
}

/// <summary>
/// The gateway's memory while it serves, sampled every 50 ms, the maxima kept until <see cref="Reset"/>. In its own
/// process (<paramref name="pid"/>): its resident set from /proc. In this process (no pid): the working set and the
/// managed heap, beside the benchmark's clients, which hold one answer each at a time.
/// </summary>
internal sealed class MemoryPeak(int? pid = null) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _sampler;
    private long _workingSet;
    private long _heap;

    private Task Sampler() => Task.Run(async () =>
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                Sample();
        }
        catch (OperationCanceledException)
        {
        }
    });

    /// <summary>Whether the managed heap is known (the gateway runs in this process).</summary>
    public bool InProcess => pid is null;

    /// <summary>Peak working set (resident set of the gateway's own process) since the last reset, in bytes.</summary>
    public long WorkingSet => Interlocked.Read(ref _workingSet);

    /// <summary>Peak managed heap (allocated, not yet collected) since the last reset, in bytes.</summary>
    public long Heap => Interlocked.Read(ref _heap);

    public void Reset()
    {
        _sampler ??= Sampler();
        Interlocked.Exchange(ref _workingSet, 0);
        Interlocked.Exchange(ref _heap, 0);
        Sample();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_sampler is not null)
            await _sampler;
        _stop.Dispose();
    }

    private void Sample()
    {
        if (pid is { } id)
        {
            Max(ref _workingSet, Resident(id));
            return;
        }
        Max(ref _workingSet, Environment.WorkingSet);
        Max(ref _heap, GC.GetTotalMemory(forceFullCollection: false));
    }

    private static void Max(ref long peak, long value)
    {
        var seen = Interlocked.Read(ref peak);
        while (value > seen && Interlocked.CompareExchange(ref peak, value, seen) != seen)
            seen = Interlocked.Read(ref peak);
    }

    private static long Resident(int id)
    {
        try
        {
            var line = File.ReadLines($"/proc/{id}/status").FirstOrDefault(static l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0; // the process has ended
        }
    }
}
