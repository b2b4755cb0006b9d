using System.Globalization;

namespace Headroom.Insights.Waste;

/// <summary>
/// The waste rules, one per <see cref="WasteKind"/>, over the hourly rows of the kind's profile. Every rule first
/// asks for enough data — the resource existed in at least <see cref="WasteOptions.MinCoverage"/> of the rule's
/// hours, and the rule's metric was collected — and otherwise answers "insufficient data" with no saving.
/// </summary>
public static partial class WasteRules
{
    /// <summary>The window and the prices a rule judges with.</summary>
    /// <param name="End">The hour after the profile's latest loaded hour; windows end here.</param>
    public sealed record Context(WasteKindInfo Info, DateTimeOffset End, ServicePrices Prices, WasteOptions Options)
    {
        /// <summary>The first hour of the whole window (<see cref="WasteOptions.Days"/>).</summary>
        public DateTimeOffset WindowStart => End.AddDays(-Options.Days);

        /// <summary>The first hour of the idle rules' look-back (<see cref="WasteOptions.IdleDays"/>).</summary>
        public DateTimeOffset IdleStart => End.AddDays(-Options.IdleDays);
    }

    /// <summary>The metric each kind's verdict needs, and what to collect when no resource has it.</summary>
    private static (string[] Dimensions, string Collect) Needs(WasteKind kind) => kind switch
    {
        WasteKind.LoadBalancer => (["requests"], "RequestCount (AWS/ApplicationELB, AWS/ELB) or NewFlowCount (AWS/NetworkELB) with statistic Sum"),
        WasteKind.EbsVolume => (["read_ops", "write_ops"], "VolumeReadOps and VolumeWriteOps (AWS/EBS) with statistic Sum"),
        WasteKind.RdsInstance => (["connections"], "DatabaseConnections (AWS/RDS) with statistic Maximum"),
        WasteKind.ElastiCacheCluster => (["connections"], "CurrConnections (AWS/ElastiCache) with statistic Maximum"),
        WasteKind.RedshiftCluster => (["connections"], "DatabaseConnections and CPUUtilization (AWS/Redshift)"),
        WasteKind.NatGateway => (["bytes"], "BytesOutToDestination, BytesOutToSource, BytesInFromSource, BytesInFromDestination (AWS/NATGateway) with statistic Sum"),
        WasteKind.LambdaFunction => (["memory_used_mb"], "Lambda Insights' used_memory_max and total_memory (namespace LambdaInsights, statistic Maximum) beside AWS/Lambda Invocations and Duration"),
        _ => (["read_provisioned", "write_provisioned", "read_consumed", "write_consumed"], "ProvisionedRead/WriteCapacityUnits (Average) and ConsumedRead/WriteCapacityUnits (Sum) of AWS/DynamoDB"),
    };

    /// <summary>Applies <paramref name="context"/>'s rule to every subject; the findings are ranked by savings, then key.</summary>
    public static WasteSection Evaluate(Context context, IReadOnlyList<WasteSubject> subjects)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(subjects);
        context.Options.Validate();
        var (needed, collect) = Needs(context.Info.Kind);
        string? note = null;
        var findings = new List<WasteFinding>(subjects.Count);
        // Not one resource of the kind has the rule's metric: it was not collected (or the service is not used), so
        // every resource would look idle. Say so once, judge none.
        var collected = subjects.Any(s => needed.Any(s.Has));
        if (subjects.Count > 0 && !collected && context.Info.Kind != WasteKind.EbsVolume)
            note = $"no {string.Join("/", needed)} data for any resource of profile {context.Info.Profile}: collect {collect}";
        foreach (var subject in subjects)
        {
            WasteFinding finding;
            if (note is not null)
                finding = Insufficient(context, subject, note, 0);
            else
            {
                finding = context.Info.Kind switch
                {
                    WasteKind.LoadBalancer => LoadBalancer(context, subject),
                    WasteKind.EbsVolume => EbsVolume(context, subject, collected, collect),
                    WasteKind.RdsInstance => Connections(context, subject, "rds", "DatabaseConnections"),
                    WasteKind.ElastiCacheCluster => Connections(context, subject, "elasticache", "CurrConnections"),
                    WasteKind.RedshiftCluster => Redshift(context, subject),
                    WasteKind.NatGateway => NatGateway(context, subject),
                    WasteKind.LambdaFunction => Lambda(context, subject),
                    _ => DynamoDb(context, subject),
                };
            }
            findings.Add(finding);
        }
        if (subjects.Count == 0)
            note = $"no resources of profile {context.Info.Profile} in the window";
        var ranked = findings.OrderByDescending(static f => f.IsFlagged).ThenByDescending(static f => f.MonthlySavings)
            .ThenBy(static f => f.Resource.Key, StringComparer.Ordinal).ToList();
        return new WasteSection(context.Info, context.WindowStart, context.End, ranked, note);
    }

    /// <summary>The section of a kind whose profile has no data in the warehouse.</summary>
    public static WasteSection NotLoaded(WasteKindInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new WasteSection(info, null, null, [],
            $"no data for profile {info.Profile} (the service is not used, or not loaded: headroom etl run --profile {info.Profile} --source URL)");
    }

    /// <summary>The resource existed in too few of the rule's hours (appeared or went away in the window, or data is missing).</summary>
    private static WasteFinding? CheckCoverage(Context context, WasteSubject subject, DateTimeOffset from, out double coverage)
    {
        coverage = subject.Coverage(from, context.End);
        if (coverage >= context.Options.MinCoverage)
            return null;
        var hours = (int)(context.End - from).TotalHours;
        var seen = (int)Math.Round(coverage * hours);
        var first = subject.Resource.FirstSeen > from ? $"; first seen {subject.Resource.FirstSeen:yyyy-MM-dd HH:mm}Z" : "";
        return Insufficient(context, subject,
            $"data for {seen} of the rule's {hours} hours ({coverage:P0}, needs {context.Options.MinCoverage:P0}){first}", coverage);
    }

    private static WasteFinding Insufficient(Context context, WasteSubject subject, string why, double coverage) =>
        new(context.Info.Kind, subject.Resource.Resource, WasteVerdict.InsufficientData, why, "wait for data", null, 0, null, coverage, "", []);

    /// <summary>
    /// The metrics say waste, but a fact the saving is priced with (a size, class, node count, memory) is not known: no saving
    /// is claimed, not even a partial one, and the action says where the fact comes from.
    /// </summary>
    private static WasteFinding MissingFacts(Context context, WasteSubject subject, string seen, string missing, string source, double coverage, string measure, IReadOnlyList<WasteDay> daily) =>
        new(context.Info.Kind, subject.Resource.Resource, WasteVerdict.InsufficientData,
            $"{seen}, but {missing} is not known, so no saving is priced (the info series needs it: headroom cloudwatch reads it with {source})",
            $"collect {source}", null, 0, null, coverage, measure, daily);

    /// <summary>A flagged or ok finding; the saving counts only when flagged and priced.</summary>
    private static WasteFinding Finding(Context context, WasteSubject subject, WasteVerdict verdict, string evidence, string action,
        decimal? cost, decimal saving, string? priceNote, double coverage, string measure, IReadOnlyList<WasteDay> daily) =>
        new(context.Info.Kind, subject.Resource.Resource, verdict, evidence, verdict == WasteVerdict.Ok ? "none" : action, cost,
            verdict == WasteVerdict.Ok || cost is null ? 0 : decimal.Round(saving, 2, MidpointRounding.AwayFromZero), priceNote, coverage, measure, daily);

    /// <summary>Hourly price × 730 of <paramref name="type"/>, or null with the reason.</summary>
    private static decimal? Monthly(Context context, WasteSubject subject, string service, string? type, decimal count, out string? note)
    {
        var price = context.Prices.Find(subject.Resource.Resource.Region, service, type, out note);
        return price is null ? null : price.Usd * PriceCatalog.HoursPerMonth * count;
    }

    private static string N(double value) => value.ToString(value >= 100 ? "N0" : "0.##", CultureInfo.InvariantCulture);
}
