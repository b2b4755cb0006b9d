using System.Globalization;
using System.Text.RegularExpressions;
using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;

namespace Headroom.Etl;

/// <summary>
/// Reads resource metadata from a profile's sources (<see cref="Profile.MetadataByPrecedence"/>), keyed by resource:
/// each field from the first source that has it, and which source that was.
/// </summary>
internal static partial class MetadataReader
{
    public sealed record Metadata(string? Account, string? Region, string? InstanceType, string? Name, IReadOnlyDictionary<string, string> Extra);

    /// <summary>The labels of one source's series, as the source answered.</summary>
    public sealed record SourceAnswer(InfoSource Source, IReadOnlyList<IReadOnlyDictionary<string, string>> Series);

    /// <summary>The latest labels of every source's series seen in (<paramref name="from"/>, <paramref name="to"/>], resolved per resource.</summary>
    public static async Task<IReadOnlyDictionary<string, Metadata>> ReadAsync(
        PrometheusClient client, Profile profile, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var sources = profile.MetadataByPrecedence.ToList();
        if (sources.Count == 0)
            return new Dictionary<string, Metadata>();
        var range = Durations.Format(to - from);
        var results = await Task.WhenAll(sources.Select(s => client.QueryAsync(Query(s, range), to, cancellationToken))).ConfigureAwait(false);
        return Resolve(profile, [.. sources.Zip(results, static (s, r) => new SourceAnswer(s, [.. r.Series.Select(static x => x.Labels)]))]);
    }

    /// <summary>The instant query reading a source's latest series over <paramref name="range"/>.</summary>
    internal static string Query(InfoSource source, string range) =>
        source.Match is null ? $"last_over_time({source.Metric}[{range}])" : $"last_over_time({source.Metric}{{{source.Match}}}[{range}])";

    /// <summary>
    /// Resolves every resource's fields from the answers, given in precedence order. Sources joined by a field
    /// (<see cref="InfoSource.Join"/>) find their resource through that field as the sources without a join gave it.
    /// </summary>
    public static IReadOnlyDictionary<string, Metadata> Resolve(Profile profile, IReadOnlyList<SourceAnswer> answers)
    {
        // Per source: resource key -> that source's labels for it (sources with a join are filled in the second pass).
        var perSource = new Dictionary<string, IReadOnlyDictionary<string, string>>[answers.Count];
        var resources = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < answers.Count; i++)
        {
            perSource[i] = new(StringComparer.Ordinal);
            if (answers[i].Source.Join is not null)
                continue;
            // Several series for one resource (its labels changed during the window): keep one, deterministically.
            foreach (var labels in answers[i].Series.OrderBy(static s => HourlyExtractor.Key(s), StringComparer.Ordinal))
            {
                if (Validator.ResourceKey(profile, labels) is not { } key)
                    continue;
                perSource[i][key] = labels;
                resources.Add(key);
            }
        }

        for (var i = 0; i < answers.Count; i++)
        {
            if (answers[i].Source.Join is not { } join)
                continue;
            var byJoinValue = answers[i].Series
                .Where(s => s.TryGetValue(join.Label, out var v) && v.Length > 0)
                .GroupBy(s => s[join.Label], StringComparer.Ordinal)
                .ToDictionary(static g => g.Key, static g => g.OrderBy(static s => HourlyExtractor.Key(s), StringComparer.Ordinal).First(), StringComparer.Ordinal);
            foreach (var key in resources)
            {
                var value = FirstDirect(answers, perSource, key, join.Field);
                if (value is null)
                    continue;
                if (byJoinValue.TryGetValue(value, out var match) || (match = EndsWithId(byJoinValue, value)) is not null)
                    perSource[i][key] = match;
            }
        }

        var result = new Dictionary<string, Metadata>(StringComparer.Ordinal);
        foreach (var key in resources)
            result[key] = Merge(answers, perSource, key);
        return result;
    }

    private static Metadata Merge(IReadOnlyList<SourceAnswer> answers, Dictionary<string, IReadOnlyDictionary<string, string>>[] perSource, string key)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < answers.Count; i++)
        {
            if (!perSource[i].TryGetValue(key, out var labels))
                continue;
            var source = answers[i].Source;
            foreach (var (field, label) in source.Metadata)
            {
                if (fields.ContainsKey(field) || !labels.TryGetValue(label, out var value) || value.Length == 0)
                    continue;
                if (field == MetadataFields.MonthlyCost && !IsCost(value))
                    continue;
                fields[field] = value;
                extra[MetadataFields.SourceKey(field)] = source.DisplayName;
            }
            // A zone gives the region at the zone's own precedence: before a lower source's region label.
            if (!fields.ContainsKey(MetadataFields.Region) && fields.TryGetValue(MetadataFields.AvailabilityZone, out var zone) && RegionOf(zone) is { } region)
            {
                fields[MetadataFields.Region] = region;
                extra[MetadataFields.SourceKey(MetadataFields.Region)] = $"availability_zone ({extra[MetadataFields.SourceKey(MetadataFields.AvailabilityZone)]})";
            }
            if (source.Extra is { } pattern)
            {
                var regex = new Regex($"^(?:{pattern})$", RegexOptions.None, TimeSpan.FromSeconds(1));
                foreach (var (name, value) in labels)
                {
                    if (regex.IsMatch(name))
                        extra.TryAdd(name, value);
                }
            }
        }

        foreach (var field in MetadataFields.Kept)
        {
            if (fields.TryGetValue(field, out var value))
                extra[field] = value;
        }
        return new Metadata(
            fields.GetValueOrDefault(MetadataFields.Account),
            fields.GetValueOrDefault(MetadataFields.Region),
            fields.GetValueOrDefault(MetadataFields.InstanceType),
            fields.GetValueOrDefault(MetadataFields.Name),
            extra);
    }

    private static string? FirstDirect(IReadOnlyList<SourceAnswer> answers, Dictionary<string, IReadOnlyDictionary<string, string>>[] perSource, string key, string field)
    {
        for (var i = 0; i < answers.Count; i++)
        {
            var source = answers[i].Source;
            if (source.Join is null && source.Metadata.TryGetValue(field, out var label) && perSource[i].TryGetValue(key, out var labels)
                && labels.TryGetValue(label, out var value) && value.Length > 0)
                return value;
        }
        return null;
    }

    // aws_ec2_info's name is the instance's ARN: arn:aws:ec2:REGION:ACCOUNT:instance/i-0123456789abcdef0.
    private static IReadOnlyDictionary<string, string>? EndsWithId(Dictionary<string, IReadOnlyDictionary<string, string>> byJoinValue, string id)
    {
        var suffix = "/" + id;
        return byJoinValue.Where(p => p.Key.EndsWith(suffix, StringComparison.Ordinal)).OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => p.Value).FirstOrDefault();
    }

    private static bool IsCost(string value) =>
        decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var cost) && cost >= 0;

    /// <summary>The region of an availability zone: AWS <c>us-east-1a</c> → <c>us-east-1</c>, GCE <c>europe-west1-b</c> → <c>europe-west1</c>.</summary>
    internal static string? RegionOf(string zone)
    {
        var aws = AwsZone().Match(zone);
        if (aws.Success)
            return aws.Groups[1].Value;
        var gce = GceZone().Match(zone);
        return gce.Success ? gce.Groups[1].Value : null;
    }

    [GeneratedRegex(@"^([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$")]
    private static partial Regex AwsZone();

    [GeneratedRegex(@"^([a-z]+-[a-z]+\d+)-[a-z]$")]
    private static partial Regex GceZone();
}
