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
    /// Adds <paramref name="shards"/>; false, adding nothing, once the answer has started, unless it already names every
    /// one of them (a second query of the same remote read meeting the same shard down).
    /// </summary>
    public bool TryAdd(IEnumerable<string> shards)
    {
        lock (_names)
        {
            if (_closed)
            {
                return shards.All(_names.Contains);
            }
            _names.AddRange(shards.Where(s => !_names.Contains(s)));
            return true;
        }
    }

    /// <summary>
    /// Whether <see cref="TryAdd"/> could add <paramref name="shards"/> now: before the answer starts, or when it names them
    /// already. Asking a shard again in part is worth it only then.
    /// </summary>
    public bool CouldAdd(IEnumerable<string> shards)
    {
        lock (_names)
        {
            return !_closed || shards.All(_names.Contains);
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
