using System.Globalization;
using Dapper;

namespace Headroom.Warehouse.Tests;

/// <summary>Deterministic windows of test data.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Start = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    public const string Source = "http://prometheus:9090";

    public static ResourceRecord Resource(string key, DateTimeOffset first, DateTimeOffset last) =>
        new(key, new Dictionary<string, string> { ["instance"] = key, ["job"] = "node" }, first, last)
        {
            Account = "123456789012",
            Region = "eu-west-1",
            InstanceType = "m5.large",
            Name = "web-" + key.Length.ToString(CultureInfo.InvariantCulture),
            Metadata = new Dictionary<string, string> { ["team"] = "payments", ["env"] = "prod" },
        };

    public static HourlyUtilization Hour(string key, string dimension, DateTimeOffset hour, int seed)
    {
        var avg = 0.05 + ((seed * 37 % 90) / 100.0);
        return new HourlyUtilization(key, dimension, hour, avg, avg * 0.5, Math.Min(1, avg * 1.5), Math.Min(1, avg * 1.3), seed % 3 == 0 ? null : Math.Min(1, avg * 1.4),
            60 - (seed % 7), 60);
    }

    /// <summary>A window of <paramref name="hours"/> hours from <paramref name="start"/> for every key and dimension.</summary>
    public static WindowCommit Window(long runId, string profile, DateTimeOffset start, int hours, IReadOnlyList<string> keys, params string[] dimensions)
    {
        var rows = new List<HourlyUtilization>();
        var seed = (int)(start.ToUnixTimeSeconds() / 3600 % 1000);
        foreach (var key in keys)
            foreach (var dimension in dimensions)
                for (var h = 0; h < hours; h++)
                    rows.Add(Hour(key, dimension, start.AddHours(h), seed++));
        return new WindowCommit(runId, profile, Source, start, start.AddHours(hours))
        {
            Resources = keys.Select(k => Resource(k, start, start.AddHours(hours - 1))).ToList(),
            Hourly = rows,
        };
    }

    public static string[] Keys(int count, string prefix = "host-") =>
        Enumerable.Range(0, count).Select(i => prefix + i.ToString("D4", CultureInfo.InvariantCulture) + ":9100").ToArray();

    public static async Task<long> StartRunAsync(IWarehouse warehouse, string profile) =>
        await warehouse.StartRunAsync(new EtlRunStart(profile, Source, Start, Start.AddDays(1)));

    public static async Task<long> CountAsync(IWarehouse warehouse, string table)
    {
        await using var connection = await ((SqlWarehouse)warehouse).OpenConnectionAsync(default);
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    /// <summary>A resource as comparable text (dictionaries compare by reference in records).</summary>
    public static string Describe(ResourceRecord r) =>
        string.Join("|", r.Key, Labels(r.Identity), r.FirstSeen.ToString("O", CultureInfo.InvariantCulture), r.LastSeen.ToString("O", CultureInfo.InvariantCulture),
            r.Account, r.Region, r.InstanceType, r.Name, Labels(r.Metadata));

    private static string Labels(IReadOnlyDictionary<string, string> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));
}
