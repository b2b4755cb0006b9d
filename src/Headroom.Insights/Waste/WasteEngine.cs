using Headroom.Warehouse;

namespace Headroom.Insights.Waste;

/// <summary>Reads each kind's profile from the warehouse (<see cref="IWasteQueries"/>) and applies its rule; then the purchase options.</summary>
public static class WasteEngine
{
    /// <summary>The report over every kind of <paramref name="kinds"/> (default all), and purchase options when <paramref name="purchase"/> is given.</summary>
    public static async Task<WasteReport> RunAsync(IWasteQueries queries, ServicePrices prices, WasteOptions options,
        PurchaseRequest? purchase = null, IReadOnlyList<WasteKind>? kinds = null, TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sections = new List<WasteSection>();
        foreach (var info in WasteKindInfo.All.Where(k => kinds is null || kinds.Contains(k.Kind)))
        {
            var latest = await queries.LatestHourAsync(info.Profile, cancellationToken).ConfigureAwait(false);
            if (latest is not { } last)
            {
                sections.Add(WasteRules.NotLoaded(info));
                continue;
            }
            var context = new WasteRules.Context(info, last.AddHours(1), prices, options);
            var resources = await queries.ReadResourcesAsync(info.Profile, context.WindowStart, context.End, cancellationToken).ConfigureAwait(false);
            var hours = await queries.ReadHoursAsync(info.Profile, context.WindowStart, context.End, cancellationToken).ConfigureAwait(false);
            var byKey = hours.ToLookup(static h => h.ResourceKey, StringComparer.Ordinal);
            var subjects = resources.Select(r => new WasteSubject(r, byKey[r.Resource.Key])).ToList();
            sections.Add(WasteRules.Evaluate(context, subjects));
        }
        PurchaseReport? plan = null;
        if (purchase is not null)
            plan = await PlanAsync(queries, purchase, options.Days, cancellationToken).ConfigureAwait(false);
        var source = purchase is null ? prices.Source : $"{prices.Source}; {purchase.Catalog.Source}";
        return new WasteReport(options, source, (clock ?? TimeProvider.System).GetUtcNow(), sections, plan);
    }

    private static async Task<PurchaseReport?> PlanAsync(IWasteQueries queries, PurchaseRequest request, int days, CancellationToken cancellationToken)
    {
        var latest = await queries.LatestHourAsync(request.Profile, cancellationToken).ConfigureAwait(false);
        if (latest is not { } last)
            return null;
        var end = last.AddHours(1);
        var start = end.AddDays(-days);
        var resources = await queries.ReadResourcesAsync(request.Profile, start, end, cancellationToken).ConfigureAwait(false);
        var cpu = await queries.ReadHoursAsync(request.Profile, request.CpuDimension, start, end, cancellationToken).ConfigureAwait(false);
        return PurchasePlanner.Plan(request.Profile, resources, cpu, request.Catalog, request.CatalogRegion, start, end, request.Options);
    }
}

/// <summary>What the purchase options read: the instances' profile and the EC2 catalog that prices them.</summary>
/// <param name="Profile">The profile of the instances (<c>aws-ec2</c>, or <c>node</c> with an instance_type).</param>
/// <param name="CatalogRegion">The region of <paramref name="Catalog"/>'s prices.</param>
public sealed record PurchaseRequest(string Profile, PriceCatalog Catalog, string CatalogRegion, PurchaseOptions Options)
{
    /// <summary>The dimension whose hourly rows say an instance ran. Default <c>cpu</c>.</summary>
    public string CpuDimension { get; init; } = "cpu";
}
