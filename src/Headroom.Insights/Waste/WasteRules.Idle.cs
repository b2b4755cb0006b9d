using System.Globalization;

namespace Headroom.Insights.Waste;

/// <summary>The idle rules: load balancers, EBS volumes, RDS, ElastiCache, Redshift, NAT gateways.</summary>
public static partial class WasteRules
{
    /// <summary>ALB, NLB or classic, from the load balancer's ARN (<c>loadbalancer/app/…</c>, <c>loadbalancer/net/…</c>).</summary>
    public static string LoadBalancerType(string arn)
    {
        ArgumentNullException.ThrowIfNull(arn);
        return arn.Contains(":loadbalancer/app/", StringComparison.Ordinal) ? "application"
            : arn.Contains(":loadbalancer/net/", StringComparison.Ordinal) ? "network"
            : "classic";
    }

    private static WasteFinding LoadBalancer(Context context, WasteSubject subject)
    {
        if (CheckCoverage(context, subject, context.IdleStart, out var coverage) is { } insufficient)
            return insufficient;
        // RequestCount has no datapoint for a period without requests (CloudWatch publishes it only when requests
        // flow), so an hour the load balancer existed without a row counts zero requests.
        var daily = subject.DailyTotals(context.IdleStart, context.End, "requests");
        var peak = daily.Max(static d => d.Value);
        // The type DescribeLoadBalancers gave, else the ARN's (loadbalancer/app/…, loadbalancer/net/…).
        var type = subject.Label("load_balancer_type") ?? LoadBalancerType(subject.Resource.Resource.Key);
        var unit = type == "network" ? "new flows" : "requests";
        var cost = Monthly(context, subject, "elb", type, 1, out var note);
        var idle = daily.All(d => d.Value < context.Options.LoadBalancerRequestsPerDay);
        var evidence = $"{type}: {unit} a day over the last {context.Options.IdleDays} days at most {N(peak)}, mean {N(daily.Average(static d => d.Value))} "
            + $"({(idle ? "every day under" : "not every day under")} {N(context.Options.LoadBalancerRequestsPerDay)})";
        return Finding(context, subject, idle ? WasteVerdict.Idle : WasteVerdict.Ok, evidence, "delete the load balancer", cost, cost ?? 0, note, coverage, $"{unit}/day", daily);
    }

    private static WasteFinding EbsVolume(Context context, WasteSubject subject, bool opsCollected, string collect)
    {
        if (CheckCoverage(context, subject, context.IdleStart, out var coverage) is { } insufficient)
            return insufficient;
        var type = subject.Resource.Resource.InstanceType;
        decimal? cost = null;
        string? note = null;
        var sized = double.TryParse(subject.Label("size_gib"), NumberStyles.Float, CultureInfo.InvariantCulture, out var size) && size > 0;
        if (sized && !string.IsNullOrEmpty(type))
            cost = Monthly(context, subject, "ebs", type, (decimal)size, out note) / PriceCatalog.HoursPerMonth;
        var daily = subject.DailyTotals(context.IdleStart, context.End, "read_ops", "write_ops").Select(static d => d with { Value = d.Value / 86_400 }).ToList();
        // A volume is priced by its size and type: without either, a flagged volume is insufficient data, never a guess.
        WasteFinding Flagged(string evidence) => sized && !string.IsNullOrEmpty(type)
            ? Finding(context, subject, WasteVerdict.Underused, evidence, "snapshot and delete the volume", cost, cost ?? 0, note, coverage, "IOPS (daily mean)", daily)
            : MissingFacts(context, subject, evidence, sized ? "its volume type (volume_type)" : "its size (size_gib)", "ec2:DescribeVolumes", coverage, "IOPS (daily mean)", daily);
        if (string.Equals(subject.Label("state"), "available", StringComparison.OrdinalIgnoreCase))
            return Flagged($"unattached (state available){(sized ? $", {N(size)} GiB {type}" : "")}");
        var opsHours = Math.Max(subject.Hours("read_ops", context.IdleStart, context.End).Count, subject.Hours("write_ops", context.IdleStart, context.End).Count);
        var needed = context.Options.MinCoverage * (context.End - context.IdleStart).TotalHours;
        if (!opsCollected || opsHours < needed)
        {
            var why = opsCollected
                ? $"read/write operations for {opsHours} of the last {(int)(context.End - context.IdleStart).TotalHours} hours, and no attachment state"
                : $"no read/write operations for any volume and no attachment state (a 'state' label of the info series): collect {collect}";
            return Insufficient(context, subject, why, coverage);
        }
        var peak = daily.Max(static d => d.Value);
        var low = daily.All(d => d.Value < context.Options.EbsIops);
        var evidence = $"{(subject.Label("state") is null ? "attachment not known" : "attached")}; mean IOPS a day over the last {context.Options.IdleDays} days at most {N(peak)} ({(low ? "every day under" : "not every day under")} {N(context.Options.EbsIops)})";
        return low ? Flagged(evidence)
            : Finding(context, subject, WasteVerdict.Ok, evidence, "snapshot and delete the volume", cost, 0, note, coverage, "IOPS (daily mean)", daily);
    }

    /// <summary>RDS and ElastiCache: idle when the maximum of connections is 0 in every hour of the look-back.</summary>
    private static WasteFinding Connections(Context context, WasteSubject subject, string service, string metric)
    {
        if (CheckCoverage(context, subject, context.IdleStart, out var coverage) is { } insufficient)
            return insufficient;
        if (MetricGap(context, subject, "connections", metric) is { } gap)
            return gap;
        var daily = subject.DailyMaxima(context.IdleStart, context.End, "connections");
        var peak = daily.Where(static d => !double.IsNaN(d.Value)).Max(static d => d.Value);
        var idle = peak <= 0;
        var evidence = $"{metric} at most {N(peak)} over the last {context.Options.IdleDays} days{(idle ? ": no connection" : "")}";
        var (count, missing, countNote) = Count(subject, service);
        if (idle && missing is not null)
            return MissingFacts(context, subject, evidence, missing, service == "rds" ? "rds:DescribeDBInstances" : "elasticache:DescribeCacheClusters", coverage, "max connections", daily);
        var cost = Priced(context, subject, service, count, missing, service == "rds" ? "rds:DescribeDBInstances" : "elasticache:DescribeCacheClusters", out var note);
        var action = service == "rds" ? "snapshot and delete (or stop) the DB instance" : "snapshot and delete the cluster";
        return Finding(context, subject, idle ? WasteVerdict.Idle : WasteVerdict.Ok, evidence, action, cost, cost ?? 0, note ?? countNote, coverage, "max connections", daily);
    }

    private static WasteFinding Redshift(Context context, WasteSubject subject)
    {
        if (CheckCoverage(context, subject, context.IdleStart, out var coverage) is { } insufficient)
            return insufficient;
        if (MetricGap(context, subject, "connections", "DatabaseConnections") is { } gap)
            return gap;
        var daily = subject.DailyMaxima(context.IdleStart, context.End, "connections");
        var peak = daily.Where(static d => !double.IsNaN(d.Value)).Max(static d => d.Value);
        var (count, missing, countNote) = Count(subject, "redshift");
        var cost = Priced(context, subject, "redshift", count, missing, "redshift:DescribeClusters", out var note);
        note ??= countNote;
        if (peak <= 0)
        {
            if (missing is not null)
                return MissingFacts(context, subject, $"DatabaseConnections 0 over the last {context.Options.IdleDays} days", missing, "redshift:DescribeClusters", coverage, "max connections", daily);
            return Finding(context, subject, WasteVerdict.Idle, $"DatabaseConnections 0 over the last {context.Options.IdleDays} days: no connection",
                "snapshot and delete (or pause) the cluster", cost, cost ?? 0, note, coverage, "max connections", daily);
        }
        var cpu = subject.Hours("cpu", context.IdleStart, context.End);
        if (cpu.Count < context.Options.MinCoverage * (context.End - context.IdleStart).TotalHours)
            return Insufficient(context, subject, $"connections seen (at most {N(peak)}), and CPU for only {cpu.Count} hours: no verdict on CPU", coverage);
        var lowShare = (double)cpu.Count(h => h.Avg < context.Options.RedshiftCpu) / cpu.Count;
        var underused = lowShare >= context.Options.RedshiftLowShare;
        var evidence = $"connections at most {N(peak)}; average CPU under {context.Options.RedshiftCpu:P0} in {lowShare:P1} of {cpu.Count} hours (flagged at {context.Options.RedshiftLowShare:P0})";
        // Trusted Advisor suggests pausing or resizing; what that saves depends on the schedule and the new size, which
        // the data cannot choose, so no saving is claimed for an under-used (not idle) cluster.
        return Finding(context, subject, underused ? WasteVerdict.Underused : WasteVerdict.Ok, evidence, "pause when not needed, or resize (no saving claimed)",
            cost, 0, note, coverage, "max connections", daily);
    }

    private static WasteFinding NatGateway(Context context, WasteSubject subject)
    {
        if (CheckCoverage(context, subject, context.WindowStart, out var coverage) is { } insufficient)
            return insufficient;
        var hours = subject.Hours("bytes", context.WindowStart, context.End);
        var windowHours = (context.End - context.WindowStart).TotalHours;
        if (hours.Count < context.Options.MinCoverage * windowHours)
            return Insufficient(context, subject, $"byte counts for {hours.Count} of the window's {windowHours:0} hours", coverage);
        var daily = subject.DailyTotals(context.WindowStart, context.End, "bytes");
        var total = daily.Sum(static d => d.Value);
        var idle = hours.All(static h => h.Max <= 0);
        var cost = Monthly(context, subject, "nat", "gateway", 1, out var note);
        var evidence = idle
            ? $"no byte through the gateway in {context.Options.Days} days"
            : $"{ByteCount(total)} through the gateway in {context.Options.Days} days";
        return Finding(context, subject, idle ? WasteVerdict.Idle : WasteVerdict.Ok, evidence, "delete the NAT gateway (and its route)", cost, cost ?? 0, note, coverage, "bytes/day", daily);
    }

    /// <summary>The rule's metric is missing in too many of the look-back's hours.</summary>
    private static WasteFinding? MetricGap(Context context, WasteSubject subject, string dimension, string metric)
    {
        var rows = subject.Hours(dimension, context.IdleStart, context.End).Count;
        var hours = (context.End - context.IdleStart).TotalHours;
        return rows >= context.Options.MinCoverage * hours ? null
            : Insufficient(context, subject, $"{metric} for {rows} of the last {hours:0} hours", subject.Coverage(context.IdleStart, context.End));
    }

    /// <summary>
    /// Nodes (Redshift, ElastiCache) or the Multi-AZ factor (RDS) the price is multiplied by; <c>Missing</c> names the fact
    /// (class, node count, Multi-AZ) that is not known, in which case nothing is priced.
    /// </summary>
    private static (decimal Count, string? Missing, string? Note) Count(WasteSubject subject, string service)
    {
        var classWord = service switch { "rds" => "DB instance class", "redshift" => "node type", _ => "node type" };
        if (string.IsNullOrEmpty(subject.Resource.Resource.InstanceType))
            return (0, $"its {classWord} (instance_type)", null);
        if (service == "rds")
        {
            // The built-in and price-list prices are RDS for MySQL; other engines cost at least as much, so a saving priced
            // with them is a lower bound, never an overstatement.
            var engine = subject.Label("engine");
            var engineNote = engine is null || engine.Contains("mysql", StringComparison.OrdinalIgnoreCase) || engine.Contains("mariadb", StringComparison.OrdinalIgnoreCase)
                ? null : $"priced as RDS for MySQL; {engine} costs at least as much, so the saving is a lower bound";
            return subject.Label("multi_az")?.ToLowerInvariant() switch
            {
                "true" => (2, null, engineNote is null ? "Multi-AZ: twice the Single-AZ price" : $"Multi-AZ: twice the Single-AZ price; {engineNote}"),
                "false" => (1, null, engineNote),
                _ => (0, "whether it is Multi-AZ (multi_az)", null),
            };
        }
        if (int.TryParse(subject.Label("node_count"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var nodes) && nodes > 0)
            return (nodes, null, null);
        return (0, "its node count (node_count)", null);
    }

    /// <summary>The monthly price of <paramref name="count"/> units of the resource's type, or null with the reason (a fact or a price missing).</summary>
    private static decimal? Priced(Context context, WasteSubject subject, string service, decimal count, string? missing, string source, out string? note)
    {
        if (missing is not null)
        {
            note = $"{missing} is not known, so no price (headroom cloudwatch reads it with {source})";
            return null;
        }
        return Monthly(context, subject, service, subject.Resource.Resource.InstanceType, count, out note);
    }

    private static string ByteCount(double bytes) => ReportRenderers.Bytes(bytes);
}
