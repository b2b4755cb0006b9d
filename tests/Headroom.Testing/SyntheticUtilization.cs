using System.Globalization;
using Headroom.Warehouse;

namespace Headroom.Testing;

/// <summary>
/// Hourly utilization of made-up resources with known behaviour, loaded through the warehouse's own commit path
/// (bulk upserts and daily rollups). Resource <c>i</c> has kind <see cref="KindOf"/> and type <see cref="TypeOf"/>;
/// every value is a pure function of (resource, hour), so two warehouses filled alike hold the same rows.
/// </summary>
public static class SyntheticUtilization
{
    public const string Idle = "idle";
    public const string Underused = "underused";

    public static readonly string[] Kinds = [Idle, Underused, "steady", "diurnal", "bursty", "saturated"];

    private static readonly string[] Types = ["t3.medium", "m5.large", "m5.xlarge", "c5.xlarge", "r5.large", "m5.2xlarge", "c5.2xlarge"];

    public static string KindOf(int index) => Kinds[index % Kinds.Length];

    public static string TypeOf(int index) => Types[(index / Kinds.Length) % Types.Length];

    public static string KeyOf(int index) => string.Create(CultureInfo.InvariantCulture, $"instance=\"syn-{index:D5}:9100\"");

    /// <summary>Commits <paramref name="hours"/> hours from <paramref name="start"/> for <paramref name="resources"/> resources, a day per window.</summary>
    /// <param name="dimensions">Dimensions to write: any of cpu, memory, network_in, network_out.</param>
    /// <returns>Hourly rows written.</returns>
    public static async Task<long> FillAsync(IWarehouse warehouse, int resources, DateTimeOffset start, int hours, string profile = "node",
        IReadOnlyList<string>? dimensions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        dimensions ??= ["cpu", "memory", "network_in", "network_out"];
        var end = start.AddHours(hours);
        var runId = await warehouse.StartRunAsync(new EtlRunStart(profile, "synthetic", start, end), cancellationToken);
        long written = 0;
        for (var windowStart = start; windowStart < end; windowStart = windowStart.AddHours(24))
        {
            var windowEnd = windowStart.AddHours(24) < end ? windowStart.AddHours(24) : end;
            var resourceRecords = new List<ResourceRecord>(resources);
            var rows = new List<HourlyUtilization>(resources * 24 * dimensions.Count);
            for (var i = 0; i < resources; i++)
            {
                var key = KeyOf(i);
                resourceRecords.Add(new ResourceRecord(key, new Dictionary<string, string> { ["instance"] = key[10..^1] }, windowStart, windowEnd.AddHours(-1))
                {
                    Account = "123456789012",
                    Region = "us-east-1",
                    InstanceType = TypeOf(i),
                    Name = KindOf(i) + "-" + i.ToString(CultureInfo.InvariantCulture),
                });
                for (var hour = windowStart; hour < windowEnd; hour = hour.AddHours(1))
                {
                    foreach (var dimension in dimensions)
                        rows.Add(Row(i, key, dimension, hour));
                }
            }
            await warehouse.CommitWindowAsync(new WindowCommit(runId, profile, "synthetic", windowStart, windowEnd)
            {
                Resources = resourceRecords,
                Hourly = rows,
            }, cancellationToken);
            written += rows.Count;
        }
        await warehouse.FinishRunAsync(runId, new EtlRunResult(EtlRunStatus.Succeeded, written, 0), cancellationToken);
        return written;
    }

    /// <summary>One hour of one dimension: mean, min, max, p95 and max of 5-minute maxima.</summary>
    public static HourlyUtilization Row(int index, string key, string dimension, DateTimeOffset hour)
    {
        var h = hour.ToUnixTimeSeconds() / 3600;
        var jitter = Jitter(index, h, dimension);
        var (avg, max) = dimension switch
        {
            "cpu" => Cpu(KindOf(index), index, h, jitter),
            "memory" => (0.15 + (0.6 * ((index * 7919 % 100) / 100.0)) + (0.02 * jitter), 0.0),
            _ => (KindOf(index) is Idle or Underused ? 12 + (6 * jitter) : 40_000 + (20_000 * jitter), 0.0),
        };
        if (max <= avg)
            max = dimension is "cpu" or "memory" ? Math.Min(1, avg * 1.1) : avg * 1.5;
        var p95 = avg + ((max - avg) * 0.8);
        return new HourlyUtilization(key, dimension, hour, Round(avg), Round(avg * 0.8), Round(max), Round(p95), Round(max), 60, 60);
    }

    private static (double Avg, double Max) Cpu(string kind, int index, long hour, double jitter) => kind switch
    {
        Idle => (0.002 + (0.002 * jitter), 0.004 + (0.004 * jitter)),
        Underused => (0.04 + (0.03 * jitter), 0.07 + (0.05 * jitter)),
        "steady" => (0.30 + (0.1 * jitter), 0.45 + (0.1 * jitter)),
        "diurnal" => Diurnal(hour, jitter),
        "bursty" => (hour + index) % 6 == 0 ? (0.45 + (0.2 * jitter), 0.85) : (0.12 + (0.03 * jitter), 0.2),
        _ => (0.85 + (0.08 * jitter), 0.97),
    };

    private static (double, double) Diurnal(long hour, double jitter)
    {
        var level = 0.05 + (0.55 * (0.5 + (0.5 * Math.Sin(2 * Math.PI * (hour % 24) / 24))));
        return (level, Math.Min(1, level + 0.1 + (0.05 * jitter)));
    }

    /// <summary>A deterministic value in [0, 1) from (resource, hour, dimension).</summary>
    private static double Jitter(int index, long hour, string dimension)
    {
        var x = unchecked(((ulong)index * 0x9E3779B97F4A7C15UL) ^ ((ulong)hour * 0xC2B2AE3D27D4EB4FUL) ^ ((ulong)dimension.Length * 0x165667B19E3779F9UL));
        x ^= x >> 33;
        x = unchecked(x * 0xFF51AFD7ED558CCDUL);
        x ^= x >> 33;
        return (x >> 11) * (1.0 / (1UL << 53));
    }

    // Values a float round trip leaves alone, so every dialect stores exactly what was written.
    private static double Round(double value) => Math.Round(value, 6);
}
