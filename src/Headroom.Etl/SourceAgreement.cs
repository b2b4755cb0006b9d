using Headroom.Warehouse;

namespace Headroom.Etl;

/// <summary>
/// Cross-validation of two views of the same hosts: node_exporter's (a profile such as <c>node</c>) and CloudWatch's (a
/// profile such as <c>aws-ec2</c>), matched by EC2 instance id, their hourly CPU compared. Which one to trust is the user's
/// call: a finding shows both values.
/// </summary>
public static class SourceAgreement
{
    /// <summary>Default tolerance: 0.10 of CPU (10 percentage points) between the two hourly means. CloudWatch's
    /// CPUUtilization is the hypervisor's view and node_exporter's the guest's; on a healthy host they differ by a few points
    /// (steal time, sampling), so ten points is a real disagreement.</summary>
    public const double DefaultTolerance = 0.10;

    /// <summary>The profile of the node_exporter view.</summary>
    public const string HostProfile = "node";

    /// <summary>The profile of the CloudWatch view.</summary>
    public const string CloudProfile = "aws-ec2";

    /// <summary>Compares the hourly CPU of the hosts both profiles hold, over the <paramref name="days"/> days before <paramref name="now"/>.</summary>
    public static async Task<IReadOnlyList<AgreementFinding>> CompareAsync(IWarehouse warehouse, DateTimeOffset now, string hostProfile = HostProfile, string cloudProfile = CloudProfile,
        double tolerance = DefaultTolerance, int days = 14, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var hosts = (await warehouse.ReadResourcesAsync(hostProfile, cancellationToken).ConfigureAwait(false))
            .Select(r => (r.Key, Id: InstanceId(r))).Where(x => x.Id is not null).ToList();
        if (hosts.Count == 0)
            return [];
        var cloud = (await warehouse.ReadResourcesAsync(cloudProfile, cancellationToken).ConfigureAwait(false))
            .Select(r => (r.Key, Id: InstanceId(r))).Where(x => x.Id is not null)
            .GroupBy(x => x.Id!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Key, StringComparer.Ordinal);
        var pairs = hosts.Where(h => cloud.ContainsKey(h.Id!)).ToList();
        if (pairs.Count == 0)
            return [];
        var since = now.AddDays(-days);
        var hostRows = (await warehouse.ReadHourlyAsync(hostProfile, "cpu", cancellationToken).ConfigureAwait(false))
            .Where(r => r.HourStart >= since && r.HourStart < now).ToLookup(r => r.ResourceKey, StringComparer.Ordinal);
        var cloudRows = (await warehouse.ReadHourlyAsync(cloudProfile, "cpu", cancellationToken).ConfigureAwait(false))
            .Where(r => r.HourStart >= since && r.HourStart < now).ToLookup(r => r.ResourceKey, StringComparer.Ordinal);
        var findings = new List<AgreementFinding>();
        foreach (var (hostKey, id) in pairs)
        {
            var byHour = cloudRows[cloud[id!]].ToDictionary(r => r.HourStart);
            var compared = 0;
            var disagreeing = new List<(DateTimeOffset Hour, double Host, double Cloud)>();
            foreach (var row in hostRows[hostKey])
            {
                if (!byHour.TryGetValue(row.HourStart, out var other))
                    continue;
                compared++;
                if (Math.Abs(row.Avg - other.Avg) > tolerance)
                    disagreeing.Add((row.HourStart, row.Avg, other.Avg));
            }
            if (disagreeing.Count == 0)
                continue;
            var worst = disagreeing.MaxBy(d => Math.Abs(d.Host - d.Cloud));
            findings.Add(new AgreementFinding(id!, hostKey, cloud[id!], compared, disagreeing.Count, worst.Hour, worst.Host, worst.Cloud));
        }
        return [.. findings.OrderByDescending(f => f.HoursDisagreeing).ThenBy(f => f.InstanceId, StringComparer.Ordinal)];
    }

    /// <summary>The EC2 instance id of a resource: an <c>instance_id</c> label or tag (as EC2 service discovery gives), else the id in an instance ARN.</summary>
    public static string? InstanceId(ResourceRecord resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        foreach (var name in (string[])["instance_id", "dimension_InstanceId"])
        {
            if (resource.Identity.TryGetValue(name, out var v) && v.Length > 0)
                return v;
            if (resource.Metadata.TryGetValue(name, out v) && v.Length > 0)
                return v;
        }
        var arn = resource.Identity.TryGetValue("name", out var n) ? n : resource.Key;
        var at = arn.LastIndexOf(":instance/", StringComparison.Ordinal);
        return at < 0 ? null : arn[(at + ":instance/".Length)..].TrimEnd('"');
    }
}
