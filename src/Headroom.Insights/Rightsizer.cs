using System.Globalization;
using Headroom.Warehouse;

namespace Headroom.Insights;

/// <summary>
/// Compute Optimizer's method on the warehouse's numbers: the need is the CPU statistic (p99.5 of the hourly
/// 5-minute maxima by default) times the current vCPUs, and the memory maximum times the current memory; plus
/// the margin, that is what the recommended type must hold. The recommendation is the cheapest type that does.
/// </summary>
public static class Rightsizer
{
    /// <summary>Rightsizes one resource from its peaks.</summary>
    public static Rightsizing Recommend(PeakUsageRow peaks, InstanceOffer? current, PriceCatalog catalog, InsightsOptions options)
    {
        ArgumentNullException.ThrowIfNull(peaks);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        var stat = options.CpuStatisticName;
        if (peaks.CpuHours < options.MinHours || peaks.CpuPeak is not { } cpuPeak)
        {
            return new Rightsizing(Finding.InsufficientData,
                [Invariant($"insufficient data: {peaks.CpuHours} hours of CPU in the window, at least {options.MinHours} needed")],
                null, null, peaks.CpuPeak, peaks.MemoryMax, peaks.CpuHours, null, null);
        }
        if (current is null)
        {
            var why = peaks.Resource.InstanceType is null
                ? "the instance type is not known (no instance_type metadata)"
                : $"instance type {peaks.Resource.InstanceType} is not in the price catalog ({catalog.Source})";
            return new Rightsizing(Finding.UnknownType, [why], null, null, cpuPeak, peaks.MemoryMax, peaks.CpuHours, null, null);
        }

        var reasons = new List<string>();
        var needVCpus = cpuPeak * current.VCpus;
        var requiredVCpus = needVCpus * (1 + options.Margin);
        var memoryKnown = peaks.MemoryMax is not null && peaks.MemoryHours >= options.MinHours;
        var needMemory = memoryKnown ? peaks.MemoryMax!.Value * current.MemoryGiB : (double?)null;
        var requiredMemory = needMemory is { } m ? m * (1 + options.Margin) : current.MemoryGiB;

        var cpuFits = current.VCpus >= requiredVCpus;
        var memoryFits = current.MemoryGiB >= requiredMemory;
        reasons.Add(Invariant($"CPU {(cpuFits ? "fits" : "under-provisioned")}: {stat} of 5-minute maxima {cpuPeak:P1} of {current.VCpus} vCPU = {needVCpus:0.##} vCPU, {requiredVCpus:0.##} with {options.Margin:P0} margin"));
        reasons.Add(needMemory is { } need
            ? Invariant($"memory {(memoryFits ? "fits" : "under-provisioned")}: maximum {peaks.MemoryMax:P1} of {current.MemoryGiB:0.##} GiB = {need:0.##} GiB, {requiredMemory:0.##} with margin")
            : Invariant($"memory not measured: the recommendation keeps {current.MemoryGiB:0.##} GiB"));

        var recommended = Cheapest(catalog, requiredVCpus, requiredMemory, options.AnyFamily ? null : current.Family)
            ?? (options.AnyFamily ? null : Cheapest(catalog, requiredVCpus, requiredMemory, null));
        if (recommended is null)
        {
            reasons.Add(Invariant($"no type in the catalog has {requiredVCpus:0.##} vCPU and {requiredMemory:0.##} GiB"));
            return new Rightsizing(cpuFits && memoryFits ? Finding.Optimized : Finding.UnderProvisioned, reasons,
                cpuFits && memoryFits ? current : null, PerformanceRisk.High, cpuPeak, peaks.MemoryMax, peaks.CpuHours, requiredVCpus, requiredMemory);
        }
        if (recommended.Family != current.Family)
            reasons.Add($"no {current.Family} type fits; {recommended.Family} does");

        Finding finding;
        if (!cpuFits || !memoryFits)
            finding = Finding.UnderProvisioned;
        else if (recommended.HourlyUsd < current.HourlyUsd)
            finding = Finding.OverProvisioned;
        else
        {
            finding = Finding.Optimized;
            recommended = current;
        }
        var projected = Math.Max(needVCpus / recommended.VCpus, needMemory is { } nm ? nm / recommended.MemoryGiB : 0);
        return new Rightsizing(finding, reasons, recommended, Risk(projected), cpuPeak, peaks.MemoryMax, peaks.CpuHours, requiredVCpus, requiredMemory);
    }

    /// <summary>The cheapest offer with at least the vCPUs and memory asked for (ties: fewer vCPUs, less memory, name).</summary>
    public static InstanceOffer? Cheapest(PriceCatalog catalog, double vcpus, double memoryGiB, string? family)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.Offers
            .Where(o => (family is null || o.Family == family) && o.VCpus >= vcpus && o.MemoryGiB >= memoryGiB)
            .OrderBy(static o => o.HourlyUsd).ThenBy(static o => o.VCpus).ThenBy(static o => o.MemoryGiB).ThenBy(static o => o.Name, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// <summary>The risk of a projected peak utilization on the recommended type.</summary>
    public static PerformanceRisk Risk(double projectedPeak) => projectedPeak switch
    {
        < 0.5 => PerformanceRisk.VeryLow,
        < 0.7 => PerformanceRisk.Low,
        < 0.85 => PerformanceRisk.Medium,
        _ => PerformanceRisk.High,
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
