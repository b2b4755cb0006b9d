using Headroom.Warehouse;

namespace Headroom.Insights;

/// <summary>The warehouse holds nothing to report on; the message says what to load.</summary>
public sealed class NoDataException(string message) : Exception(message);

/// <summary>Runs the report queries (<see cref="ReportSql"/>) and applies the under-use rules and rightsizing.</summary>
public static class InsightsEngine
{
    /// <summary>The report over the <see cref="InsightsOptions.Days"/> days ending with the latest day of CPU data.</summary>
    /// <param name="withDaily">Also read the daily CPU series of every resource (for charts).</param>
    /// <exception cref="NoDataException">The warehouse has no CPU data for the profile.</exception>
    public static async Task<InsightsReport> RunAsync(IReportQueries queries, PriceCatalog catalog, InsightsOptions options, bool withDaily,
        TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var latest = await queries.LatestDayAsync(options.Profile, options.CpuDimension, cancellationToken).ConfigureAwait(false)
            ?? throw new NoDataException(
                $"the warehouse has no '{options.CpuDimension}' data for profile '{options.Profile}'; load it first with 'headroom etl run --source URL' (or run 'headroom demo')");
        var window = new ReportWindow(options.Profile, latest.AddDays(1 - options.Days), latest.AddDays(1));

        var low = queries.ReadLowUtilizationAsync(new LowUtilizationQuery(window)
        {
            CpuDimension = options.CpuDimension,
            NetworkInDimension = options.NetworkInDimension,
            NetworkOutDimension = options.NetworkOutDimension,
            MaxDailyCpu = options.LowCpu,
            MaxDailyNetworkBytes = options.LowNetworkBytes,
        }, cancellationToken);
        var peaks = queries.ReadPeakUsageAsync(new PeakUsageQuery(window)
        {
            CpuDimension = options.CpuDimension,
            MemoryDimension = options.MemoryDimension,
            CpuQuantile = options.CpuQuantile,
        }, cancellationToken);
        var daily = withDaily ? queries.ReadDailySeriesAsync(window, options.CpuDimension, cancellationToken) : Task.FromResult<IReadOnlyList<DailyPoint>>([]);
        await Task.WhenAll(low, peaks, daily).ConfigureAwait(false);

        var report = Build(await low.ConfigureAwait(false), await peaks.ConfigureAwait(false), catalog, options);
        var series = (await daily.ConfigureAwait(false)).GroupBy(static p => p.ResourceKey, StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => (IReadOnlyList<DailyPoint>)[.. g.OrderBy(static p => p.Day)], StringComparer.Ordinal);
        var peakRows = await peaks.ConfigureAwait(false);
        return new InsightsReport(options, window.From, latest, catalog.Source, (clock ?? TimeProvider.System).GetUtcNow(), report, Summarize(report), series)
        {
            HoursOfData = peakRows.Count == 0 ? 0 : peakRows.Max(static p => p.CpuHours),
        };
    }

    /// <summary>Applies the rules to the query rows; ranked by savings, then cost, then key.</summary>
    public static IReadOnlyList<ResourceInsight> Build(IReadOnlyList<LowUtilizationRow> low, IReadOnlyList<PeakUsageRow> peaks, PriceCatalog catalog, InsightsOptions options)
    {
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(peaks);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        var lowByKey = low.ToDictionary(static r => r.Resource.Key, StringComparer.Ordinal);
        var result = new List<ResourceInsight>(peaks.Count);
        foreach (var peak in peaks)
        {
            var current = catalog.Find(peak.Resource.InstanceType);
            var rightsizing = Rightsizer.Recommend(peak, current, catalog, options);
            var underuse = Classify(lowByKey.GetValueOrDefault(peak.Resource.Key), peak.CpuHours, options);
            // A host no catalog lists may still have a monthly cost (a label, a host price file): idle, it saves that.
            var hostCost = current is null ? catalog.Hosts.Find(peak.Resource)?.Monthly : null;
            var cost = current?.MonthlyUsd ?? hostCost ?? 0;
            var (action, savings) = Decide(underuse, rightsizing, current, hostCost, peak.Resource.InstanceType is null);
            result.Add(new ResourceInsight(peak.Resource, current, underuse, rightsizing, action, cost, savings));
        }
        return [.. result.OrderByDescending(static r => r.MonthlySavings).ThenByDescending(static r => r.MonthlyCost).ThenBy(static r => r.Resource.Key, StringComparer.Ordinal)];
    }

    /// <summary>The idle rule first (it implies low utilization), then Trusted Advisor's low-utilization rule.</summary>
    public static Underuse Classify(LowUtilizationRow? row, long cpuHours, InsightsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (row is null)
            return new Underuse(UnderuseKind.InsufficientData, 0, 0, 0, 0, null, cpuHours);
        var kind = row.Hours < options.MinHours ? UnderuseKind.InsufficientData
            : row.CpuMax <= options.IdleCpu ? UnderuseKind.Idle
            : row.LowDays >= options.LowDays ? UnderuseKind.LowUtilization
            : UnderuseKind.None;
        return new Underuse(kind, row.Days, row.LowDays, row.CpuAverage, row.CpuMax, row.NetworkBytesPerDay, row.Hours);
    }

    private static (string Action, decimal Savings) Decide(Underuse underuse, Rightsizing rightsizing, InstanceOffer? current, decimal? hostCost, bool typeUnknown)
    {
        if (underuse.Kind == UnderuseKind.Idle)
            return ("terminate", current?.MonthlyUsd ?? hostCost ?? 0);
        var recommended = rightsizing.Recommended;
        var difference = current is not null && recommended is not null ? current.MonthlyUsd - recommended.MonthlyUsd : 0;
        return rightsizing.Finding switch
        {
            Finding.OverProvisioned => ($"downsize to {recommended!.Name}", difference),
            Finding.UnderProvisioned when recommended is not null => ($"upsize to {recommended.Name}", difference),
            Finding.UnderProvisioned => ("upsize (no larger type in the catalog)", 0),
            _ when underuse.Kind == UnderuseKind.LowUtilization => ("stop when not needed", 0),
            Finding.InsufficientData => ("wait for 30 hours of data", 0),
            Finding.UnknownType when hostCost is not null => ("none (priced per host; no catalog to rightsize against)", 0),
            Finding.UnknownType when typeUnknown => (UnknownTypeHint, 0),
            Finding.UnknownType => ("add the type to the price file", 0),
            _ => ("none", 0),
        };
    }

    /// <summary>The action of a resource whose instance type no source gave.</summary>
    public const string UnknownTypeHint =
        "unknown type: relabel the instance type onto the target, enable node_exporter's dmi collector, export headroom_host_info, or give a monthly cost (docs/etl.md)";

    private static InsightsSummary Summarize(IReadOnlyList<ResourceInsight> resources) => new(
        resources.Count,
        resources.Count(static r => r.Current is null),
        resources.Sum(static r => r.MonthlyCost),
        resources.Count(static r => r.Underuse.Kind == UnderuseKind.Idle),
        resources.Count(static r => r.Underuse.Kind == UnderuseKind.LowUtilization),
        resources.Where(static r => r.IsUnderused).Sum(static r => r.MonthlyCost),
        resources.Where(static r => r.MonthlySavings > 0).Sum(static r => r.MonthlySavings),
        -resources.Where(static r => r.MonthlySavings < 0).Sum(static r => r.MonthlySavings),
        resources.Count(static r => r.Rightsizing.Finding == Finding.OverProvisioned),
        resources.Count(static r => r.Rightsizing.Finding == Finding.UnderProvisioned),
        resources.Count(static r => r.Rightsizing.Finding == Finding.Optimized),
        resources.Count(static r => r.Rightsizing.Finding == Finding.InsufficientData));
}
