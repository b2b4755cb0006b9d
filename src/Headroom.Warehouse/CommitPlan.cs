using System.Security.Cryptography;
using System.Text;

namespace Headroom.Warehouse;

/// <summary>A validated <see cref="WindowCommit"/>: names checked, resources hashed, duplicates refused, before any SQL runs.</summary>
internal sealed class CommitPlan
{
    public const int MaxNameLength = 100;

    private CommitPlan(WindowCommit commit, string source)
    {
        Commit = commit;
        Source = source;
    }

    public WindowCommit Commit { get; }

    public string Profile => Commit.Profile;

    public string Source { get; }

    public DateTimeOffset WindowStart => Timestamps.Utc(Commit.WindowStart);

    public DateTimeOffset WindowEnd => Timestamps.Utc(Commit.WindowEnd);

    /// <summary>Resources ordered by hash, so concurrent commits lock rows in the same order.</summary>
    public List<(string Hash, ResourceRecord Resource)> Resources { get; } = [];

    public List<(string Hash, HourlyUtilization Row)> Hourly { get; } = [];

    public List<string> Dimensions { get; } = [];

    /// <summary>
    /// Start of the range whose quarantine rows (of <see cref="Dimensions"/>) the commit replaces: the window,
    /// widened to cover quarantined rows outside it so that re-committing them never duplicates them.
    /// </summary>
    public DateTimeOffset QuarantineFrom { get; private set; }

    /// <summary>End (exclusive) of the quarantine replacement range.</summary>
    public DateTimeOffset QuarantineTo { get; private set; }

    public static CommitPlan Create(WindowCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        RequireName(commit.Profile, "profile");
        var source = SourceNames.WithoutCredentials(commit.Source ?? throw new ArgumentException("The source is required.", nameof(commit)));
        if (source.Length is 0 or > SourceNames.MaxLength)
            throw new ArgumentException($"The source must have 1 to {SourceNames.MaxLength} characters.", nameof(commit));
        if (commit.WindowEnd <= commit.WindowStart)
            throw new ArgumentException("The window must end after it starts.", nameof(commit));
        var plan = new CommitPlan(commit, source);
        plan.QuarantineFrom = plan.WindowStart;
        plan.QuarantineTo = plan.WindowEnd;

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in commit.Resources)
        {
            if (resource.Key.Length == 0 || !keys.Add(resource.Key))
                throw new ArgumentException($"Resource key '{Shorten(resource.Key)}' is empty or appears twice in the window.", nameof(commit));
            plan.Resources.Add((Hash(resource.Key), resource));
        }
        plan.Resources.Sort((a, b) => string.CompareOrdinal(a.Hash, b.Hash));

        var hourKeys = new HashSet<(string, string, DateTimeOffset)>();
        var dimensions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var row in commit.Hourly)
        {
            RequireName(row.Dimension, "dimension");
            if (!Timestamps.IsWholeHour(row.HourStart))
                throw new ArgumentException($"Hour start {row.HourStart:O} is not on the hour.", nameof(commit));
            if (!double.IsFinite(row.Avg) || !double.IsFinite(row.Min) || !double.IsFinite(row.Max) || !double.IsFinite(row.P95) || row.Max5m is { } m && !double.IsFinite(m))
                throw new ArgumentException($"Hourly row of '{Shorten(row.ResourceKey)}' {row.Dimension} at {row.HourStart:O} has a non-finite value; quarantine it instead.", nameof(commit));
            if (!hourKeys.Add((row.ResourceKey, row.Dimension, row.HourStart.ToUniversalTime())))
                throw new ArgumentException($"Hourly row of '{Shorten(row.ResourceKey)}' {row.Dimension} at {row.HourStart:O} appears twice in the window.", nameof(commit));
            plan.Hourly.Add((Hash(row.ResourceKey), row));
            dimensions.Add(row.Dimension);
        }

        foreach (var row in commit.Quarantine)
        {
            RequireName(row.Dimension, "dimension");
            RequireName(row.Reason, "quarantine reason");
            var period = Timestamps.Utc(row.PeriodStart);
            plan.QuarantineFrom = period < plan.QuarantineFrom ? period : plan.QuarantineFrom;
            plan.QuarantineTo = period >= plan.QuarantineTo ? period.AddSeconds(1) : plan.QuarantineTo;
            dimensions.Add(row.Dimension);
        }
        foreach (var gap in commit.OpenGaps)
        {
            RequireName(gap.Dimension, "dimension");
            dimensions.Add(gap.Dimension);
        }
        foreach (var dimension in commit.Dimensions ?? [])
            RequireName(dimension, "dimension");
        plan.Dimensions.AddRange(commit.Dimensions ?? (IEnumerable<string>)dimensions);
        return plan;
    }

    /// <summary>SHA-256 of the key's UTF-8 bytes in lower-case hex: a fixed-width index key for keys of any length.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";

    private static void RequireName(string? value, string what)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxNameLength)
            throw new ArgumentException($"The {what} must have 1 to {MaxNameLength} characters.");
    }
}
