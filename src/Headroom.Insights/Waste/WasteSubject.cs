using Headroom.Warehouse;

namespace Headroom.Insights.Waste;

/// <summary>A resource and its hourly rows by dimension, as the rules read them.</summary>
public sealed class WasteSubject
{
    /// <summary>The dimension every profile fills while the resource's info series exists.</summary>
    public const string Present = "present";

    /// <summary>
    /// Seconds each stored sample stands for: the AWS profiles' resolution, 5 minutes (CloudWatch's period as YACE
    /// reads it). A rate's total in an hour is mean × samples × 300 s, which stays right for series CloudWatch leaves
    /// sparse (no datapoint for a period without requests): their mean is over the periods that had one.
    /// </summary>
    public const double StepSeconds = 300;

    /// <summary>The total of a per-second rate over one hourly row.</summary>
    public static double Total(WasteHour hour)
    {
        ArgumentNullException.ThrowIfNull(hour);
        return hour.Avg * hour.Samples * StepSeconds;
    }

    private readonly Dictionary<string, List<WasteHour>> _byDimension;

    /// <summary>A subject from its resource and hourly rows (any order; rows of other resources are ignored).</summary>
    public WasteSubject(WasteResource resource, IEnumerable<WasteHour> hours)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(hours);
        Resource = resource;
        _byDimension = hours.Where(h => h.ResourceKey == resource.Resource.Key)
            .GroupBy(static h => h.Dimension, StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.OrderBy(static h => h.HourStart).ToList(), StringComparer.Ordinal);
    }

    /// <summary>The resource.</summary>
    public WasteResource Resource { get; }

    /// <summary>An info label kept in the metadata, or null.</summary>
    public string? Label(string name) => Resource.Metadata.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    /// <summary>The rows of <paramref name="dimension"/> in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public IReadOnlyList<WasteHour> Hours(string dimension, DateTimeOffset from, DateTimeOffset to) =>
        _byDimension.TryGetValue(dimension, out var rows) ? [.. rows.Where(h => h.HourStart >= from && h.HourStart < to)] : [];

    /// <summary>Whether any row of <paramref name="dimension"/> exists.</summary>
    public bool Has(string dimension) => _byDimension.ContainsKey(dimension);

    /// <summary>
    /// The share of the hours of [<paramref name="from"/>, <paramref name="to"/>) with a row of <paramref name="dimension"/>
    /// (<see cref="Present"/> when the profile fills it, else any dimension).
    /// </summary>
    public double Coverage(DateTimeOffset from, DateTimeOffset to, string dimension = Present)
    {
        var hours = (to - from).TotalHours;
        if (hours <= 0)
            return 0;
        var rows = _byDimension.ContainsKey(dimension)
            ? Hours(dimension, from, to).Select(static h => h.HourStart)
            : _byDimension.Values.SelectMany(static r => r).Where(h => h.HourStart >= from && h.HourStart < to).Select(static h => h.HourStart);
        return rows.Distinct().Count() / hours;
    }

    /// <summary>
    /// Per 24-hour block of [<paramref name="from"/>, <paramref name="to"/>): the <see cref="Total"/> of its hours (a
    /// rate per second becomes a count per day), summed over <paramref name="dimensions"/>. A block without rows counts 0.
    /// </summary>
    public IReadOnlyList<WasteDay> DailyTotals(DateTimeOffset from, DateTimeOffset to, params string[] dimensions)
    {
        var days = (int)Math.Round((to - from).TotalDays);
        var totals = new double[days];
        foreach (var dimension in dimensions)
        {
            foreach (var h in Hours(dimension, from, to))
            {
                var day = (int)((h.HourStart - from).TotalHours / 24);
                if (day >= 0 && day < days)
                    totals[day] += Total(h);
            }
        }
        return [.. totals.Select((v, i) => new WasteDay(from.AddDays(i), v))];
    }

    /// <summary>Per 24-hour block, the maximum of <paramref name="dimension"/>'s hourly maxima (NaN without rows).</summary>
    public IReadOnlyList<WasteDay> DailyMaxima(DateTimeOffset from, DateTimeOffset to, string dimension)
    {
        var days = (int)Math.Round((to - from).TotalDays);
        var maxima = Enumerable.Repeat(double.NaN, days).ToArray();
        foreach (var h in Hours(dimension, from, to))
        {
            var day = (int)((h.HourStart - from).TotalHours / 24);
            if (day >= 0 && day < days)
                maxima[day] = double.IsNaN(maxima[day]) ? h.Max : Math.Max(maxima[day], h.Max);
        }
        return [.. maxima.Select((v, i) => new WasteDay(from.AddDays(i), v))];
    }
}
