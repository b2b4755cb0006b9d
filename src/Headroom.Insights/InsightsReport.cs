using System.Globalization;
using Headroom.Warehouse;

namespace Headroom.Insights;

/// <summary>What the under-use rules say about a resource.</summary>
public enum UnderuseKind
{
    /// <summary>Neither rule matches.</summary>
    None,

    /// <summary>Trusted Advisor's rule: enough days with low CPU and network.</summary>
    LowUtilization,

    /// <summary>The window's maximum CPU is at or under the idle threshold: terminate.</summary>
    Idle,

    /// <summary>Fewer hours of CPU data than the minimum: no verdict.</summary>
    InsufficientData,
}

/// <summary>The rightsizing finding, as AWS Compute Optimizer names them.</summary>
public enum Finding
{
    /// <summary>A cheaper type fits the need plus margin.</summary>
    OverProvisioned,

    /// <summary>The current type does not fit the need plus margin.</summary>
    UnderProvisioned,

    /// <summary>The current type is the cheapest that fits.</summary>
    Optimized,

    /// <summary>Fewer hours of CPU data than the minimum: no recommendation, never a guess.</summary>
    InsufficientData,

    /// <summary>The instance type is not in the price catalog (or not known).</summary>
    UnknownType,
}

/// <summary>How likely the recommended type is to fall short, from its projected peak utilization.</summary>
public enum PerformanceRisk
{
    /// <summary>Projected peak under 50%.</summary>
    VeryLow,

    /// <summary>Under 70%.</summary>
    Low,

    /// <summary>Under 85%.</summary>
    Medium,

    /// <summary>85% or more, or no type is large enough.</summary>
    High,
}

/// <summary>The under-use rules' inputs and verdict for one resource.</summary>
/// <param name="Days">Days with CPU data in the window.</param>
/// <param name="LowDays">Days with average CPU and network I/O at or under the thresholds.</param>
/// <param name="CpuAverage">Mean daily CPU (ratio).</param>
/// <param name="CpuMax">Maximum CPU in the window (ratio).</param>
/// <param name="NetworkBytesPerDay">Mean network I/O a day (in + out), null when not measured.</param>
/// <param name="Hours">Hours of CPU data.</param>
public sealed record Underuse(UnderuseKind Kind, int Days, int LowDays, double CpuAverage, double CpuMax, double? NetworkBytesPerDay, long Hours);

/// <summary>The rightsizing of one resource.</summary>
/// <param name="Reasons">Why, in words, with the numbers.</param>
/// <param name="Recommended">The recommended type (the current one when optimized), null without a recommendation.</param>
/// <param name="Risk">The performance risk of the recommended type.</param>
/// <param name="CpuPeak">The CPU statistic (ratio of the current type's vCPUs).</param>
/// <param name="MemoryMax">The maximum memory utilization (ratio), null when not measured.</param>
/// <param name="CpuHours">Hours of CPU data.</param>
/// <param name="RequiredVCpus">vCPUs the need plus margin asks for.</param>
/// <param name="RequiredMemoryGiB">Memory the need plus margin asks for (the current memory when not measured).</param>
public sealed record Rightsizing(
    Finding Finding,
    IReadOnlyList<string> Reasons,
    InstanceOffer? Recommended,
    PerformanceRisk? Risk,
    double? CpuPeak,
    double? MemoryMax,
    long CpuHours,
    double? RequiredVCpus,
    double? RequiredMemoryGiB);

/// <summary>Everything the reports say about one resource.</summary>
/// <param name="Current">The current type's catalog entry, null when unknown.</param>
/// <param name="Action">What to do: <c>terminate</c>, <c>downsize to m5.large</c>, <c>upsize to …</c>, <c>stop when not needed</c>, <c>none</c>, ….</param>
/// <param name="MonthlyCost">The current type's monthly price (0 when unknown).</param>
/// <param name="MonthlySavings">Current price − recommended price a month (the full price to terminate); negative when upsizing.</param>
public sealed record ResourceInsight(
    ReportResource Resource,
    InstanceOffer? Current,
    Underuse Underuse,
    Rightsizing Rightsizing,
    string Action,
    decimal MonthlyCost,
    decimal MonthlySavings)
{
    /// <summary>Flagged by the idle or the low-utilization rule.</summary>
    public bool IsUnderused => Underuse.Kind is UnderuseKind.Idle or UnderuseKind.LowUtilization;
}

/// <summary>Totals over every resource in the window.</summary>
/// <param name="MonthlyCost">The monthly price of every resource with a known type.</param>
/// <param name="MonthlyWaste">The monthly price of the idle and low-utilization resources.</param>
/// <param name="MonthlySavings">Sum of positive savings (terminate idle, downsize).</param>
/// <param name="MonthlyExtraCost">Sum of the increases recommended for under-provisioned resources.</param>
public sealed record InsightsSummary(
    int Resources,
    int UnknownTypes,
    decimal MonthlyCost,
    int Idle,
    int LowUtilization,
    decimal MonthlyWaste,
    decimal MonthlySavings,
    decimal MonthlyExtraCost,
    int OverProvisioned,
    int UnderProvisioned,
    int Optimized,
    int InsufficientData);

/// <summary>The result of the insights queries and rules over one window.</summary>
/// <param name="FirstDay">The window's first UTC day.</param>
/// <param name="LastDay">Its last UTC day (inclusive): the latest day with CPU data.</param>
/// <param name="PriceSource">Where the prices come from.</param>
/// <param name="Resources">Every resource, ranked by savings then cost.</param>
/// <param name="Daily">Daily CPU average, p95 and maximum per resource key, for charts (empty unless asked for).</param>
public sealed record InsightsReport(
    InsightsOptions Options,
    DateOnly FirstDay,
    DateOnly LastDay,
    string PriceSource,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<ResourceInsight> Resources,
    InsightsSummary Summary,
    IReadOnlyDictionary<string, IReadOnlyList<DailyPoint>> Daily)
{
    /// <summary>The most hours of CPU data any resource has in the window.</summary>
    public long HoursOfData { get; init; }

    /// <summary>
    /// Hosts whose node_exporter and CloudWatch views disagree about CPU in the window (a data-quality finding); null when
    /// the sources were not compared (a profile other than the two views').
    /// </summary>
    public SourceCheck? Sources { get; init; }

    /// <summary>
    /// When the warehouse holds less than the window (a young source), what the report is based on; null otherwise.
    /// </summary>
    public string? ShortHistory => HoursOfData >= (long)Options.Days * 24 ? null : string.Create(CultureInfo.InvariantCulture,
        $"Based on {HoursOfData} hours of data, less than the {Options.Days}-day window: a short history. Rules that need more " +
        $"(rightsizing {Options.MinHours} hours, low utilization {Options.LowDays} days) say 'insufficient data' until the ETL has loaded it.");

    /// <summary>The idle and low-utilization resources, ranked.</summary>
    public IEnumerable<ResourceInsight> Underused => Resources.Where(static r => r.IsUnderused);

    /// <summary>Resources whose type should change, ranked.</summary>
    public IEnumerable<ResourceInsight> Rightsizable => Resources.Where(static r => r.Rightsizing.Finding is Finding.OverProvisioned or Finding.UnderProvisioned);
}
