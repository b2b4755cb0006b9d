using System.Globalization;
using Headroom.Warehouse;

namespace Headroom.Insights.Waste;

/// <summary>
/// From each instance's hourly history, the always-on baseline per family (in AWS's normalised units, so a
/// 2xlarge counts as four larges) that a Savings Plan or Reserved Instance would cover, the commitment Headroom
/// recommends for it, its break-even and saving; and Spot candidates.
/// </summary>
public static class PurchasePlanner
{
    /// <summary>AWS's normalisation factor of an instance size (<c>large</c> = 4, <c>xlarge</c> = 8, <c>Nxlarge</c> = 8N), or null for an unknown size.</summary>
    public static double? NormalizationFactor(string instanceType)
    {
        ArgumentNullException.ThrowIfNull(instanceType);
        var dot = instanceType.IndexOf('.', StringComparison.Ordinal);
        var size = dot < 0 ? "" : instanceType[(dot + 1)..].ToLowerInvariant();
        return size switch
        {
            "nano" => 0.25,
            "micro" => 0.5,
            "small" => 1,
            "medium" => 2,
            "large" => 4,
            "xlarge" => 8,
            _ when size.EndsWith("xlarge", StringComparison.Ordinal) && int.TryParse(size[..^6], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 => 8.0 * n,
            _ => null,
        };
    }

    /// <summary>Plans from the resources and their hourly CPU rows (a row = the instance ran that hour).</summary>
    /// <param name="catalogRegion">The region the catalog's prices are for; instances elsewhere are left out and said.</param>
    public static PurchaseReport Plan(string profile, IReadOnlyList<WasteResource> resources, IReadOnlyList<WasteHour> cpuHours,
        PriceCatalog catalog, string catalogRegion, DateTimeOffset start, DateTimeOffset end, PurchaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(cpuHours);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var windowHours = (int)(end - start).TotalHours;
        var notes = new List<string>();
        var byKey = cpuHours.GroupBy(static h => h.ResourceKey, StringComparer.Ordinal).ToDictionary(static g => g.Key, static g => g.ToList(), StringComparer.Ordinal);
        // Only hours where the profile has data count: hours after the last load are not hours with zero instances.
        var dataHours = cpuHours.Select(static h => h.HourStart).ToHashSet();
        var hoursWithData = dataHours.Count;
        var priced = new List<(WasteResource Resource, InstanceOffer Offer, double Factor, List<WasteHour> Hours)>();
        int unknown = 0, otherRegion = 0;
        foreach (var r in resources)
        {
            if (!byKey.TryGetValue(r.Resource.Key, out var hours))
                continue;
            if (r.Resource.Region is { Length: > 0 } region && !string.Equals(region, catalogRegion, StringComparison.OrdinalIgnoreCase))
            {
                otherRegion++;
                continue;
            }
            if (catalog.Find(r.Resource.InstanceType) is not { } offer || NormalizationFactor(offer.Name) is not { } factor)
            {
                unknown++;
                continue;
            }
            priced.Add((r, offer, factor, hours));
        }
        if (unknown > 0)
            notes.Add($"{unknown} instances left out: their type is not in {catalog.Source} (or has no normalised size)");
        if (otherRegion > 0)
            notes.Add($"{otherRegion} instances left out: no prices for their region in {catalog.Source} ({catalogRegion}); give --prices with that region's offer file and --region");

        var hourIndex = new Func<DateTimeOffset, int>(t => (int)(t - start).TotalHours);
        var families = new List<FamilyCommitment>();
        foreach (var group in priced.GroupBy(p => (Region: p.Resource.Resource.Region ?? catalogRegion, p.Offer.Family)).OrderBy(static g => g.Key.Region, StringComparer.Ordinal).ThenBy(static g => g.Key.Family, StringComparer.Ordinal))
        {
            var units = new double[windowHours];
            foreach (var p in group)
            {
                foreach (var h in p.Hours)
                {
                    var i = hourIndex(h.HourStart);
                    if (i < 0 || i >= windowHours)
                        continue;
                    units[i] += p.Factor;
                }
            }
            var observed = units.Where((_, i) => dataHours.Contains(start.AddHours(i))).ToArray();
            var unitPrice = group.Min(static p => p.Offer.HourlyUsd / (decimal)p.Factor);
            var sorted = observed.Order().ToArray();
            var min = sorted.Length == 0 ? 0 : sorted[0];
            var median = sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
            var max = sorted.Length == 0 ? 0 : sorted[^1];
            var onDemand = unitPrice * (decimal)observed.DefaultIfEmpty(0).Average() * PriceCatalog.HoursPerMonth;
            string? note = null;
            if (observed.Length < options.MinDays * 24)
                note = $"insufficient data: {observed.Length} hours of history (needs {options.MinDays * 24})";
            else if (min <= 0)
                note = "no always-on baseline: some hour had no instance of the family running";
            var baseline = note is null ? unitPrice * (decimal)min : 0;
            var discount = (decimal)options.Discount;
            families.Add(new FamilyCommitment(group.Key.Region, group.Key.Family, group.Count(), observed.Length, min, median, max, decimal.Round(unitPrice, 6),
                decimal.Round(baseline, 4), decimal.Round(baseline * (1 - discount), 4), decimal.Round(onDemand, 2),
                decimal.Round(baseline * discount * PriceCatalog.HoursPerMonth, 2), 1 - options.Discount, observed, note));
        }

        var spot = new List<SpotCandidate>();
        foreach (var p in priced)
        {
            if (!Interruptible(p.Resource))
                continue;
            var hours = p.Hours.Where(h => h.HourStart >= start && h.HourStart < end).ToList();
            if (hours.Count == 0 || hoursWithData == 0)
                continue;
            var share = (double)hours.Count / hoursWithData;
            var mean = hours.Average(static h => h.Avg);
            var peak = hours.Max(static h => h.Max);
            var ratio = mean > 0 ? peak / mean : 0;
            var partTime = share < options.PartTimeShare;
            var bursty = ratio >= options.BurstRatio;
            if (!partTime && !bursty)
                continue;
            var monthly = p.Offer.MonthlyUsd * (decimal)share;
            var why = $"marked interruptible; ran {share:P0} of {hoursWithData} hours{(partTime ? " (part-time)" : "")}; CPU peak {peak:P0} = {ratio:0.0}× its mean {mean:P1}{(bursty ? " (bursty)" : "")}";
            spot.Add(new SpotCandidate(p.Resource.Resource, share, ratio, decimal.Round(monthly, 2), decimal.Round(monthly * (decimal)options.SpotDiscount, 2), why));
        }

        var method = string.Create(CultureInfo.InvariantCulture,
            $"Per region and family: each hour of the window, the normalised units running (nano 0.25, micro 0.5, small 1, medium 2, large 4, xlarge 8, Nxlarge 8N; an instance runs in an hour with a CPU row). "
            + $"The baseline is the emptiest hour's units (always on), priced at the family's cheapest on-demand rate per unit. The recommended commitment ({options.Plan}) is the baseline × (1 − {options.Discount:P0}) an hour; "
            + $"it saves the baseline × {options.Discount:P0} × 730 h a month, and costs no more than on-demand while at least {1 - options.Discount:P0} of it is used (break-even). "
            + $"Spot candidates: tagged interruptible (tag interruptible or spot = true) and part-time (under {options.PartTimeShare:P0} of hours) or bursty (CPU peak ≥ {options.BurstRatio}× mean); estimated at {options.SpotDiscount:P0} off on-demand.");
        return new PurchaseReport(options, profile, start, end, families, [.. spot.OrderByDescending(static s => s.MonthlySavings)], notes, method);
    }

    private static readonly string[] s_interruptibleTags = ["tag_interruptible", "tag_spot", "tag_Interruptible", "tag_Spot"];

    private static bool Interruptible(WasteResource resource) =>
        s_interruptibleTags.Any(k =>
            resource.Metadata.TryGetValue(k, out var v) && v.ToLowerInvariant() is "true" or "yes" or "1");
}
