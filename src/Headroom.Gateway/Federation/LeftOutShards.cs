namespace Headroom.Gateway.Federation;

/// <summary>
/// The shards one request's answer leaves out, for an answer that names them in a header
/// (<see cref="Headroom.Prometheus.RemoteRead.UnavailableShardsHeader"/>) because it has no place for a warning: a
/// remote read. Such an answer can name a shard only until it starts; <see cref="Close"/> marks that moment, and a
/// shard left out afterwards cannot be added, so the request must fail instead (the answer is cut).
/// </summary>
internal sealed class LeftOutShards
{
    private readonly List<string> _names = [];
    private readonly HashSet<string> _counted = new(StringComparer.Ordinal);
    private bool _closed;

    /// <summary>
    /// True the first time <paramref name="shard"/> is counted for this request, false after: one answer counts a shard
    /// once in <c>headroom_gateway_partial_responses_total</c>, however many selections of it meet the shard down and
    /// whether or not it was asked again in part first.
    /// </summary>
    public bool CountOnce(string shard)
    {
        lock (_names)
        {
            return _counted.Add(shard);
        }
    }

    /// <summary>
    /// Whether the answer names what it leaves out in its header (a remote read asked in part): then no more can be
    /// added than the header names (<see cref="Headroom.Prometheus.RemoteRead.UnavailableShardsHeader.Fits"/>), and the
    /// request fails rather than leave out a shard it cannot name. Otherwise a list that does not fit is kept, but
    /// <see cref="Header"/> names none, which leaves this gateway out whole above.
    /// </summary>
    public bool Capped { get; init; }

    /// <summary>
    /// Adds <paramref name="shards"/>; false, adding nothing, once the answer has started, unless it already names every
    /// one of them (a second query of the same remote read meeting the same shard down), or when <see cref="Capped"/> and
    /// the header could not name them all.
    /// </summary>
    public bool TryAdd(IEnumerable<string> shards) => TryAdd(shards, out _);

    /// <summary>As <see cref="TryAdd(IEnumerable{string})"/>, saying why when it adds nothing.</summary>
    public bool TryAdd(IEnumerable<string> shards, out string refusal)
    {
        refusal = "";
        lock (_names)
        {
            var fresh = shards.Where(s => !_names.Contains(s)).Distinct(StringComparer.Ordinal).ToList();
            if (fresh.Count == 0)
            {
                return true;
            }
            if (_closed)
            {
                refusal = "the answer had begun and has no place to say so";
                return false;
            }
            if (Capped && !Headroom.Prometheus.RemoteRead.UnavailableShardsHeader.Fits([.. _names, .. fresh]))
            {
                refusal = $"the answer would leave out more shards than its {Headroom.Prometheus.RemoteRead.UnavailableShardsHeader.Name} header names "
                    + $"(at most {Headroom.Prometheus.RemoteRead.UnavailableShardsHeader.MaxShards}), so it fails rather than leave some out unnamed";
                return false;
            }
            _names.AddRange(fresh);
            return true;
        }
    }

    /// <summary>The header's value naming <paramref name="names"/>; null when there are none or too many to name.</summary>
    public static string? Header(IReadOnlyList<string> names) =>
        names.Count > 0 && Headroom.Prometheus.RemoteRead.UnavailableShardsHeader.Fits(names) ? Headroom.Prometheus.RemoteRead.UnavailableShardsHeader.Format(names) : null;

    /// <summary>
    /// Whether <see cref="TryAdd(IEnumerable{string})"/> could add <paramref name="shards"/> now: before the answer starts, or when it names them
    /// already. Asking a shard again in part is worth it only then.
    /// </summary>
    public bool CouldAdd(IEnumerable<string> shards)
    {
        lock (_names)
        {
            var fresh = shards.Where(s => !_names.Contains(s)).ToList();
            return fresh.Count == 0 || !_closed && (!Capped || Headroom.Prometheus.RemoteRead.UnavailableShardsHeader.Fits([.. _names, .. fresh]));
        }
    }

    /// <summary>The shards left out so far, without closing.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_names)
            {
                return [.. _names];
            }
        }
    }

    /// <summary>The shards left out; from now on none can be added.</summary>
    public IReadOnlyList<string> Close()
    {
        lock (_names)
        {
            _closed = true;
            return [.. _names];
        }
    }
}
