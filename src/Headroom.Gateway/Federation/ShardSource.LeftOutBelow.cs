using Headroom.PromQL.Storage;

namespace Headroom.Gateway.Federation;

internal sealed partial class ShardSource
{
    /// <summary>
    /// For one selection, the shards below that this shard's answer leaves out when its replicas are gateways asked in
    /// part (<see cref="AllowingPartial"/>). Each such replica names its own left-out shards when its answer's headers
    /// arrive; the shard's answer is the merge of every replica still answering, so it leaves out only what all of them
    /// leave out. A replica that fails or is left out late no longer counts: what it named is not warned of unless the
    /// replicas kept name it too. Told (<see cref="Report"/>) before each series is handed on and at the end, so what is
    /// known before the first series goes out before it (a remote read names it in its header), and what a later
    /// failure uncovers goes out then (a remote read that has begun is cut).
    /// </summary>
    private sealed class LeftOutBelow
    {
        private readonly ShardSource _shard;
        private readonly SourceWarnings _warnings;
        private readonly Action<IReadOnlyList<string>>? _report;
        private readonly IReadOnlyList<string>?[] _named;
        private readonly bool[] _failed;
        private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
        private volatile bool _changed;

        public LeftOutBelow(ShardSource shard, SourceWarnings warnings, Action<IReadOnlyList<string>>? report)
        {
            _shard = shard;
            _warnings = warnings;
            _report = report;
            _named = new IReadOnlyList<string>?[shard.Replicas.Count];
            _failed = new bool[_named.Length];
            for (var i = 0; i < _named.Length; i++)
            {
                // A replica that is not a gateway asked in part leaves nothing out and says so at once.
                _named[i] = Asked(i) is null ? [] : null;
            }
        }

        /// <summary>The replica's partial view, when it is a gateway asked in part; null otherwise.</summary>
        public ReplicaBackend? Asked(int replica) => _shard.Replicas[replica] is ReplicaBackend { Partial: true } backend ? backend : null;

        /// <summary>Where <paramref name="replica"/>'s answer says what it leaves out.</summary>
        public Action<IReadOnlyList<string>> For(int replica) => names =>
        {
            lock (_named)
            {
                _named[replica] = names;
            }
            _changed = true;
        };

        /// <summary>The replica failed or was left out: what it named no longer counts.</summary>
        public void Failed(int replica)
        {
            lock (_named)
            {
                _failed[replica] = true;
            }
            _changed = true;
        }

        /// <summary>
        /// Warns of, and hands on, what every replica still answering leaves out and was not reported before. Nothing
        /// while a replica still answering has not said yet, or when none is still answering (the shard then fails).
        /// </summary>
        public void Report()
        {
            if (!_changed)
            {
                return;
            }
            List<string> fresh;
            List<ReplicaBackend> kept;
            lock (_named)
            {
                _changed = false;
                var live = Enumerable.Range(0, _named.Length).Where(i => !_failed[i]).ToList();
                if (live.Count == 0 || live.Any(i => _named[i] is null))
                {
                    return;
                }
                fresh = [.. _named[live[0]]!.Where(name => live.All(i => _named[i]!.Contains(name)) && !_reported.Contains(name))];
                if (fresh.Count == 0)
                {
                    return;
                }
                _reported.UnionWith(fresh);
                kept = [.. live.Select(Asked).OfType<ReplicaBackend>()];
            }
            foreach (var backend in kept)
            {
                _warnings.Add(backend.LeftOutWarning(fresh));
            }
            _report?.Invoke(fresh);
        }
    }
}
