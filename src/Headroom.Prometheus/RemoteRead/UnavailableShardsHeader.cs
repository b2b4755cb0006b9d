namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// The response header in which a Headroom gateway names the shards it had no replica answering for: on its 503 (the
/// request asked for no partial response) and on a remote read answer asked for with <c>partial_response=true</c> (which
/// has no other place for a warning). A gateway above it reads the header to keep the other shards' series instead of
/// losing the whole gateway below. Prometheus never sends it.
/// </summary>
/// <remarks>
/// The value lists the shards comma-separated, each percent-encoded (a shard's name may hold a comma). A shard of a
/// gateway further below is named by the path down to it, <c>lower/shard-1</c>. The header names at most
/// <see cref="MaxShards"/> shards in at most <see cref="MaxLength"/> characters; a gateway with more to name sends none:
/// on a 503 that leaves the gateway out whole, and a partial answer that would need more fails instead (503) rather
/// than leave shards out unnamed. A reader takes a longer header for one it cannot trust (<see cref="TryParse"/>).
/// </remarks>
public static class UnavailableShardsHeader
{
    /// <summary>The header's name.</summary>
    public const string Name = "Headroom-Unavailable-Shards";

    /// <summary>
    /// The most shards the header names: 64, a judgement: a gateway with more shards than that down at once is better
    /// left out whole than named shard by shard, and the header stays a few kilobytes.
    /// </summary>
    public const int MaxShards = 64;

    /// <summary>
    /// The longest value, in characters: 8 KiB, room for <see cref="MaxShards"/> paths of about 120 characters each, and
    /// well under the 64 KiB of response headers HttpClient accepts by default.
    /// </summary>
    public const int MaxLength = 8 * 1024;

    /// <summary>Whether the header can name every one of <paramref name="shards"/> (<see cref="MaxShards"/>, <see cref="MaxLength"/>).</summary>
    public static bool Fits(IReadOnlyCollection<string> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        return shards.Count <= MaxShards && Format(shards).Length <= MaxLength;
    }

    /// <summary>The header's value for <paramref name="shards"/>; check <see cref="Fits"/> first.</summary>
    public static string Format(IEnumerable<string> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        return string.Join(",", shards.Select(Uri.EscapeDataString));
    }

    /// <summary>
    /// The shards an answer's header names; none when it has no such header (Prometheus, say), or one too long to trust
    /// (<see cref="TryOf"/>): on a 503 that leaves the gateway out whole.
    /// </summary>
    public static IReadOnlyList<string> Of(System.Net.Http.Headers.HttpResponseHeaders headers) => TryOf(headers, out var shards) ? shards : [];

    /// <summary>
    /// The shards an answer's header names (none when it has no such header); false when it names more than
    /// <see cref="MaxShards"/> or is longer than <see cref="MaxLength"/>, which no Headroom gateway sends.
    /// </summary>
    public static bool TryOf(System.Net.Http.Headers.HttpResponseHeaders headers, out IReadOnlyList<string> shards)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.TryGetValues(Name, out var values))
        {
            return TryParse(values, out shards);
        }
        shards = [];
        return true;
    }

    /// <summary>The shards the header's values name, in order, each once; none when the header is absent or too long to trust.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string>? values) => TryParse(values, out var shards) ? shards : [];

    /// <summary>
    /// The shards the header's values name, in order, each once (none when the header is absent); false, naming none,
    /// when they are longer than <see cref="MaxLength"/> or name more than <see cref="MaxShards"/>. Nothing is split or
    /// decoded before the length is checked.
    /// </summary>
    public static bool TryParse(IEnumerable<string>? values, out IReadOnlyList<string> shards)
    {
        shards = [];
        if (values is null)
        {
            return true;
        }
        var all = new List<string>();
        var length = 0;
        foreach (var value in values)
        {
            length += value.Length + 1;
            if (length > MaxLength + 1)
            {
                return false;
            }
            all.Add(value);
        }
        var names = all.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(Uri.UnescapeDataString).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count > MaxShards)
        {
            return false;
        }
        shards = names;
        return true;
    }
}
