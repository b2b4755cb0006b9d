using Headroom.Warehouse;

namespace Headroom.Etl;

/// <summary>Where the resources of a profile got one metadata field: resources per source, and how many have none.</summary>
/// <param name="Field">e.g. <c>instance_type</c>.</param>
/// <param name="BySource">Source name (as the profile calls it) → resources whose field it gave, most first.</param>
/// <param name="Unknown">Resources without the field.</param>
public sealed record FieldOrigins(string Field, IReadOnlyList<KeyValuePair<string, int>> BySource, int Unknown);

/// <summary>Summarises the stored origin of each metadata field (<see cref="MetadataFields.SourceKey"/>), for <c>headroom etl status</c>.</summary>
public static class MetadataOrigins
{
    /// <summary>The origin shown for a field loaded before origins were stored.</summary>
    public const string NotRecorded = "(origin not recorded)";

    /// <summary>One line of origins per field that any source gave or that some resource lacks.</summary>
    public static IReadOnlyList<FieldOrigins> Summarize(IReadOnlyCollection<ResourceRecord> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var result = new List<FieldOrigins>();
        foreach (var field in MetadataFields.All)
        {
            var key = MetadataFields.SourceKey(field);
            var bySource = resources.Where(r => r.Metadata.ContainsKey(key) || Value(r, field) is not null)
                .GroupBy(r => r.Metadata.GetValueOrDefault(key) ?? NotRecorded, StringComparer.Ordinal)
                .Select(g => new KeyValuePair<string, int>(g.Key, g.Count()))
                .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
                .ToList();
            var unknown = resources.Count - bySource.Sum(p => p.Value);
            // Fields no resource has and no source gives (monthly_cost on a cloud fleet) say nothing.
            if (bySource.Count == 0 && (unknown == resources.Count && !IsColumn(field)))
                continue;
            result.Add(new FieldOrigins(field, bySource, unknown));
        }
        return result;
    }

    /// <summary>One line for people, e.g. <c>instance_type: target labels 3, node_dmi_info 1, unknown 2</c>.</summary>
    public static string Describe(FieldOrigins origins)
    {
        ArgumentNullException.ThrowIfNull(origins);
        var parts = origins.BySource.Select(p => $"{p.Key} {p.Value}").ToList();
        if (origins.Unknown > 0)
            parts.Add($"unknown {origins.Unknown}");
        return $"{origins.Field}: {string.Join(", ", parts)}";
    }

    private static bool IsColumn(string field) => field is MetadataFields.Account or MetadataFields.Region or MetadataFields.InstanceType or MetadataFields.Name;

    // Resources loaded before origins were stored still have their columns: not unknown, just of unrecorded origin.
    private static string? Value(ResourceRecord r, string field) => field switch
    {
        MetadataFields.Account => r.Account,
        MetadataFields.Region => r.Region,
        MetadataFields.InstanceType => r.InstanceType,
        MetadataFields.Name => r.Name,
        _ => r.Metadata.GetValueOrDefault(field),
    };
}
