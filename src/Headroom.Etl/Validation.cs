using System.Text;
using System.Text.Json;

namespace Headroom.Etl;

/// <summary>Why a row was quarantined instead of loaded. The strings are stored in the warehouse and used as metric labels.</summary>
public static class RejectReason
{
    public const string MissingIdentity = "missing_identity";
    public const string NotANumber = "not_a_number";
    public const string OutOfRange = "out_of_range";
    public const string DuplicateResource = "duplicate_resource";
    public const string FutureTimestamp = "future_timestamp";
    public const string LowCompleteness = "low_completeness";

    /// <summary>Every reason, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = [MissingIdentity, NotANumber, OutOfRange, DuplicateResource, FutureTimestamp, LowCompleteness];
}

/// <summary>Thresholds of validation.</summary>
public sealed record ValidationOptions
{
    /// <summary>Rows with fewer than this share of the expected points are quarantined (default 0.5).</summary>
    public double MinCompleteness { get; init; } = 0.5;

    /// <summary>How far past now an hour may end before it counts as a future timestamp (default 5 minutes, for clock skew).</summary>
    public TimeSpan FutureTolerance { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>A validated hourly row, in normalised units, keyed by its resource.</summary>
public sealed record ValidRow(string ResourceKey, IReadOnlyDictionary<string, string> Identity, string Dimension, DateTimeOffset HourStart,
    double Avg, double Min, double Max, double P95, long Samples, long Expected);

/// <summary>A row that failed validation, with the reason and the raw row as JSON.</summary>
public sealed record RejectedRow(string? ResourceKey, string Dimension, DateTimeOffset HourStart, string Reason, string Payload);

/// <summary>Checks extracted rows: identity, numbers, domain, duplicates, time and completeness.</summary>
public static class Validator
{
    private const double Slack = 1e-6;

    /// <summary>Splits <paramref name="rows"/> of one dimension into valid and rejected rows.</summary>
    public static (IReadOnlyList<ValidRow> Valid, IReadOnlyList<RejectedRow> Rejected) Validate(
        Profile profile, Dimension dimension, IEnumerable<HourlyRow> rows, DateTimeOffset now, ValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(dimension);
        options ??= new ValidationOptions();
        var valid = new List<ValidRow>();
        var rejected = new List<RejectedRow>();
        var scale = dimension.Unit == Unit.Percent ? 0.01 : 1;

        // Two series with the same identity in the same hour: the profile's expression does not aggregate
        // to one series per resource, and neither value can be trusted.
        var groups = rows.GroupBy(r => (Key: ResourceKey(profile, r.Labels), r.HourStart));
        foreach (var group in groups)
        {
            var (key, hour) = group.Key;
            if (group.Count() > 1)
            {
                rejected.AddRange(group.Select(r => Reject(key, r, RejectReason.DuplicateResource)));
                continue;
            }
            var row = group.First();
            var reason = key is null ? RejectReason.MissingIdentity
                : hour.AddHours(1) > now + options.FutureTolerance ? RejectReason.FutureTimestamp
                : !AllFinite(row) ? RejectReason.NotANumber
                : !InDomain(dimension.Unit, row, scale) ? RejectReason.OutOfRange
                : row.Expected > 0 && (double)row.Samples / row.Expected < options.MinCompleteness ? RejectReason.LowCompleteness
                : null;
            if (reason is not null)
            {
                rejected.Add(Reject(key, row, reason));
                continue;
            }
            var identity = profile.Identity.ToDictionary(l => l, l => row.Labels[l], StringComparer.Ordinal);
            valid.Add(new ValidRow(key!, identity, dimension.Name, hour,
                Normalise(dimension.Unit, row.Avg * scale), Normalise(dimension.Unit, row.Min * scale),
                Normalise(dimension.Unit, row.Max * scale), Normalise(dimension.Unit, row.P95 * scale),
                row.Samples, row.Expected));
        }
        return (valid, rejected);
    }

    /// <summary>
    /// The resource's key: its identity labels as <c>label="value"</c> pairs in the profile's order, values
    /// escaped as in PromQL. Null when an identity label is missing or empty.
    /// </summary>
    public static string? ResourceKey(Profile profile, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(labels);
        var sb = new StringBuilder();
        foreach (var label in profile.Identity)
        {
            if (!labels.TryGetValue(label, out var value) || value.Length == 0)
                return null;
            if (sb.Length > 0)
                sb.Append(',');
            sb.Append(label).Append("=\"")
              .Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
              .Append('"');
        }
        return sb.ToString();
    }

    private static bool AllFinite(HourlyRow r) =>
        double.IsFinite(r.Avg) && double.IsFinite(r.Min) && double.IsFinite(r.Max) && double.IsFinite(r.P95);

    private static bool InDomain(Unit unit, HourlyRow r, double scale)
    {
        var low = Math.Min(Math.Min(r.Avg, r.Min), Math.Min(r.Max, r.P95)) * scale;
        var high = Math.Max(Math.Max(r.Avg, r.Min), Math.Max(r.Max, r.P95)) * scale;
        return low >= -Slack && (unit is not (Unit.Ratio or Unit.Percent) || high <= 1 + Slack);
    }

    // Floating-point noise (1 - 1.0000000002) must not reach the warehouse as -2e-10.
    private static double Normalise(Unit unit, double value) =>
        unit is Unit.Ratio or Unit.Percent ? Math.Clamp(value, 0, 1) : Math.Max(0, value);

    private static RejectedRow Reject(string? key, HourlyRow row, string reason) =>
        new(key, row.Dimension, row.HourStart, reason, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["labels"] = row.Labels,
            ["avg"] = row.Avg.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["min"] = row.Min.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["max"] = row.Max.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["p95"] = row.P95.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["samples"] = row.Samples,
            ["expected"] = row.Expected,
        }, ValidationJsonContext.Default.DictionaryStringObject));
}
