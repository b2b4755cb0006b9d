using System.Globalization;

namespace Headroom.Etl.Tests.RealHost;

/// <summary>
/// The independent reading of this machine's CPU: the kernel's own counters in <c>/proc/stat</c>, read every 50 ms
/// with the wall-clock time, so an interval chosen later (Prometheus' first and last sample) can be measured.
/// </summary>
internal sealed class ProcStat : IAsyncDisposable
{
    private readonly List<(DateTimeOffset At, ulong Idle, ulong Total, double Memory)> _readings = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ProcStat() => _loop = Task.Run(PollAsync);

    private async Task PollAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var (idle, total) = Read();
            var memory = MemoryUsed();
            lock (_readings)
                _readings.Add((DateTimeOffset.UtcNow, idle, total, memory));
            try
            {
                await Task.Delay(50, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The share of CPU time not idle between the readings nearest <paramref name="from"/> and <paramref name="to"/>.</summary>
    public double BusyBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_readings)
        {
            var a = _readings.MinBy(r => Math.Abs((r.At - from).Ticks));
            var b = _readings.MinBy(r => Math.Abs((r.At - to).Ticks));
            Assert.True(Math.Abs((a.At - from).TotalMilliseconds) < 500 && Math.Abs((b.At - to).TotalMilliseconds) < 500,
                $"no /proc/stat reading near {from:O} and {to:O}: the poller missed them");
            return 1 - ((double)(b.Idle - a.Idle) / (b.Total - a.Total));
        }
    }

    /// <summary>1 − MemAvailable/MemTotal at the reading nearest <paramref name="at"/>.</summary>
    public double MemoryAt(DateTimeOffset at)
    {
        lock (_readings)
            return _readings.MinBy(r => Math.Abs((r.At - at).Ticks)).Memory;
    }

    private static double MemoryUsed()
    {
        var fields = File.ReadLines("/proc/meminfo").Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => double.Parse(p[1].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return 1 - (fields["MemAvailable"] / fields["MemTotal"]);
    }

    // The "cpu" line: user nice system idle iowait irq softirq steal guest guest_nice, in USER_HZ ticks. node_exporter's
    // mode="idle" is the fourth field; guest time is already inside user and nice, so the total stops at steal.
    private static (ulong Idle, ulong Total) Read()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => ulong.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return (fields[3], fields.Aggregate(0UL, (sum, v) => sum + v));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
