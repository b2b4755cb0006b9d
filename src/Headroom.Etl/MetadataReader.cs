using System.Text.RegularExpressions;
using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;

namespace Headroom.Etl;

/// <summary>Reads resource metadata from a profile's info series, keyed by resource.</summary>
internal static class MetadataReader
{
    public sealed record Metadata(string? Account, string? Region, string? InstanceType, string? Name, IReadOnlyDictionary<string, string> Extra);

    /// <summary>The latest info labels of every resource seen in (<paramref name="from"/>, <paramref name="to"/>].</summary>
    public static async Task<IReadOnlyDictionary<string, Metadata>> ReadAsync(
        PrometheusClient client, Profile profile, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        if (profile.Info is not { } info)
            return new Dictionary<string, Metadata>();
        var range = Durations.Format(to - from);
        var result = await client.QueryAsync($"last_over_time({info.Metric}[{range}])", to, cancellationToken).ConfigureAwait(false);
        var extra = info.Extra is null ? null : new Regex($"^(?:{info.Extra})$", RegexOptions.None, TimeSpan.FromSeconds(1));
        var byResource = new Dictionary<string, Metadata>(StringComparer.Ordinal);
        // Several info series for one resource (its labels changed during the window): keep one, deterministically.
        foreach (var series in result.Series.OrderBy(s => HourlyExtractor.Key(s.Labels), StringComparer.Ordinal))
        {
            if (Validator.ResourceKey(profile, series.Labels) is not { } key)
                continue;
            string? Field(string name) => info.Metadata.TryGetValue(name, out var label) && series.Labels.TryGetValue(label, out var v) ? v : null;
            var extras = extra is null
                ? new Dictionary<string, string>()
                : series.Labels.Where(l => extra.IsMatch(l.Key)).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
            byResource[key] = new Metadata(Field("account"), Field("region"), Field("instance_type"), Field("name"), extras);
        }
        return byResource;
    }
}
