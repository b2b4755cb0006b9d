namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// The response header in which a Headroom gateway names the shards it had no replica answering for: on its 503 (the
/// request asked for no partial response) and on a remote read answer asked for with <c>partial_response=true</c> (which
/// has no other place for a warning). A gateway above it reads the header to keep the other shards' series instead of
/// losing the whole gateway below. Prometheus never sends it.
/// </summary>
/// <remarks>
/// The value lists the shards comma-separated, each percent-encoded (a shard's name may hold a comma). A shard of a
/// gateway further below is named by the path down to it, <c>lower/shard-1</c>.
/// </remarks>
public static class UnavailableShardsHeader
{
    /// <summary>The header's name.</summary>
    public const string Name = "Headroom-Unavailable-Shards";

    /// <summary>The header's value for <paramref name="shards"/>.</summary>
    public static string Format(IEnumerable<string> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        return string.Join(",", shards.Select(Uri.EscapeDataString));
    }

    /// <summary>The shards an answer's header names; none when it has no such header (Prometheus, say).</summary>
    public static IReadOnlyList<string> Of(System.Net.Http.Headers.HttpResponseHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers.TryGetValues(Name, out var values) ? Parse(values) : [];
    }

    /// <summary>The shards the header's values name, in order, each once; none when the header is absent.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string>? values)
    {
        if (values is null)
        {
            return [];
        }
        return [.. values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(Uri.UnescapeDataString).Distinct(StringComparer.Ordinal)];
    }
}
