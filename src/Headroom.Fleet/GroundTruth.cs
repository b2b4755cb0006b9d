using System.Text.Json;
using System.Text.Json.Serialization;

namespace Headroom.Fleet;

/// <summary>What each simulated host really is: the answer key for tests of the reports.</summary>
public sealed record HostTruth(
    string Id,
    string Name,
    string Account,
    string Region,
    string InstanceType,
    int VCpus,
    long MemoryBytes,
    string CpuProfile,
    string MemoryProfile,
    double MeanCpu,
    double MeanMemory,
    double NetworkBytesPerDay,
    DateTimeOffset BootTime)
{
    /// <summary>The truth of one host.</summary>
    public static HostTruth Of(SimulatedHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new(host.Id, host.Name, host.Account, host.Region, host.InstanceType.Name, host.InstanceType.VCpus,
            host.MemoryTotalBytes, ProfileName(host.CpuProfile), ProfileName(host.MemoryProfile),
            Math.Round(host.MeanCpuUtilization, 4), Math.Round(host.MeanMemoryUtilization, 4),
            Math.Round(host.MeanNetworkBytesPerDay), host.BootTime)
        {
            CloudWatchCpuSkew = host.CloudWatchCpuSkew,
        };
    }

    /// <summary>Percentage points the host's CloudWatch CPU reads above its node_exporter CPU (0: the views agree).</summary>
    public double CloudWatchCpuSkew { get; init; }

    /// <summary>Profile names as they appear in JSON and tables: lower case.</summary>
    public static string ProfileName<T>(T profile)
        where T : struct, Enum => profile.ToString().ToLowerInvariant();
}

/// <summary>The ground truth of a whole fleet.</summary>
public sealed record FleetTruth(long Seed, int HostCount, IReadOnlyList<HostTruth> Hosts)
{
    /// <summary>The truth of every host of <paramref name="fleet"/>.</summary>
    public static FleetTruth Of(SimulatedFleet fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return new(fleet.Seed, fleet.Hosts.Count, [.. fleet.Hosts.Select(HostTruth.Of)]);
    }

    /// <summary>Indented snake_case JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, FleetJsonContext.Default.FleetTruth);

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    public static FleetTruth FromJson(string json) =>
        JsonSerializer.Deserialize(json, FleetJsonContext.Default.FleetTruth) ?? throw new JsonException("empty fleet truth document");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(FleetTruth))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;
