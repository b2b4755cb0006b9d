using System.Runtime.CompilerServices;
using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Tests;

/// <summary>
/// The select path streams: replicas and shards are merged as sorted streams while they arrive, and the answer is the
/// one the buffering merge gave (sorted, each series once, copies joined), whatever order dropping and adding labels
/// puts a replica's series in, and whichever replica fails on the way.
/// </summary>
public sealed class StreamedMergeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>The order of a Prometheus replica whose external label is <c>replica</c>: by every other label.</summary>
    private static readonly string[] Prometheus = ["replica"];

    [Fact]
    public async Task Interleaved_replicas_answer_each_series_once_in_order_with_copies_joined()
    {
        var a = new ListSource([S("up", "i", "1", "replica", "a"), S("up", "i", "3", "replica", "a"), S("up", "i", "4", "replica", "a")]);
        var b = new ListSource([S("up", "i", "2", "replica", "b"), S("up", "i", "3", "replica", "b"), S("up", "i", "5", "replica", "b")]);

        var answer = await SelectAsync(Shard(a, b));

        Assert.Equal(["1", "2", "3", "4", "5"], answer.Select(s => s.Labels.Get("i")));
        Assert.All(answer, s => Assert.False(s.Labels.Has("replica")));
        // Series 3 is on both: its copies are joined into one, as the deduplicator joins them.
        Assert.Equal(ReplicaDeduplicator.Merge([a.Series[1].Points, b.Series[1].Points], out _), answer.Single(s => s.Labels.Get("i") == "3").Points);
    }

    [Fact]
    public async Task A_series_on_one_replica_only_is_answered_with_its_own_samples()
    {
        var a = new ListSource([S("up", "i", "1", "replica", "a")]);
        var b = new ListSource([S("up", "i", "1", "replica", "b"), S("up", "i", "9", "replica", "b")]);

        var answer = await SelectAsync(Shard(a, b));

        Assert.Equal(["1", "9"], answer.Select(s => s.Labels.Get("i")));
        Assert.Equal(b.Series[1].Points, answer[1].Points);
    }

    /// <summary>
    /// <c>{a="1",replica="r"}</c> sorts after <c>{a="1",b="2",replica="r"}</c>, but without the replica label
    /// <c>{a="1"}</c> sorts first: a replica sorted by all its labels sends them the other way round.
    /// </summary>
    [Fact]
    public async Task Dropping_the_replica_label_reorders_nested_label_sets_and_the_answer_is_still_sorted()
    {
        Series[] Copy(string r) => [S("m", "a", "1", "b", "2", "replica", r), S("m", "a", "1", "replica", r), S("m", "a", "1", "z", "9", "replica", r)];
        var answer = await SelectAsync(Shard(new ListSource(Copy("a")), new ListSource(Copy("b"))));

        Assert.Equal(["{__name__=\"m\", a=\"1\"}", "{__name__=\"m\", a=\"1\", b=\"2\"}", "{__name__=\"m\", a=\"1\", z=\"9\"}"],
            answer.Select(s => s.Labels.ToString()));
    }

    /// <summary>
    /// Prometheus streams series sorted by its TSDB labels and merges its external labels in afterwards; the shard's
    /// external label added after <c>b</c> puts <c>{a="1",b="2",shard="s"}</c> before <c>{a="1",shard="s"}</c>.
    /// </summary>
    [Fact]
    public async Task Adding_the_shard_label_reorders_a_stream_sorted_without_its_external_labels()
    {
        Series[] Copy(string r) => [S("m", "a", "1", "replica", r), S("m", "a", "1", "b", "2", "replica", r), S("m", "a", "2", "replica", r)];
        var shard = new ShardSource("s", [new ListSource(Copy("a"), sortedWithout: Prometheus), new ListSource(Copy("b"), sortedWithout: Prometheus)],
            GatewayConfig.DefaultReplicaLabels, Labels.Of("shard", "s"));

        var answer = await SelectAsync(shard);

        Assert.Equal(["{__name__=\"m\", a=\"1\", b=\"2\", shard=\"s\"}", "{__name__=\"m\", a=\"1\", shard=\"s\"}", "{__name__=\"m\", a=\"2\", shard=\"s\"}"],
            answer.Select(s => s.Labels.ToString()));
    }

    /// <summary>
    /// Random label sets nested in one another, replicas sorted by all their labels or (as Prometheus streams) without
    /// their external labels, with and without a shard label added: the streamed answer equals the buffered one.
    /// </summary>
    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, true, false)]
    [InlineData(3, false, true)]
    [InlineData(4, true, true)]
    public async Task Random_nested_label_sets_answer_what_the_buffering_merge_answered(int seed, bool sortedWithoutExternal, bool shardLabel)
    {
        var random = new Random(seed);
        var names = new[] { "a", "b", "job", "pod", "rack", "replica_set", "s", "zone" };
        var cores = new HashSet<Labels>();
        while (cores.Count < 300)
        {
            var labels = new List<Label> { new("__name__", random.Next(2) == 0 ? "m" : "n") };
            foreach (var name in names.Where(_ => random.Next(3) == 0))
            {
                labels.Add(new Label(name, random.Next(2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            cores.Add(Labels.From(labels));
        }
        var replicas = new List<ListSource>();
        foreach (var r in new[] { "a", "b", "c" })
        {
            var external = Labels.Of("replica", r, "shard", "s0");
            var series = cores.Where(_ => random.NextDouble() < 0.8)
                .Select(core => new Series(Merged(core, external), Points(random)))
                .OrderBy(s => sortedWithoutExternal ? s.Labels.Without(["replica", "shard"]) : s.Labels, Comparer<Labels>.Create(Labels.Compare))
                .ToList();
            replicas.Add(new ListSource(series, sortedWithout: sortedWithoutExternal ? ["replica", "shard"] : null));
        }
        var shardExternal = shardLabel ? Labels.Of("shard", "s0") : Labels.Empty;
        var replicaLabels = shardLabel ? GatewayConfig.DefaultReplicaLabels : ["replica", "shard"];

        var answer = await SelectAsync(new ShardSource("s0", [.. replicas], replicaLabels, shardExternal));

        var expected = Buffered(replicas, replicaLabels, shardExternal);
        Assert.Equal(expected.Select(s => s.Labels.ToString()), answer.Select(s => s.Labels.ToString()));
        Assert.Equal(expected.Select(s => s.Points), answer.Select(s => s.Points));
    }

    [Fact]
    public async Task A_replica_failing_mid_stream_leaves_the_others_to_answer()
    {
        var whole = Enumerable.Range(10, 20).Select(i => S("up", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "replica", "a")).ToList();
        var failing = new ListSource([.. whole.Select(s => new Series(s.Labels.With("replica", "b"), s.Points))], failAfter: 5);
        var metrics = new GatewayMetrics();
        var shard = new ShardSource("s", [failing, new ListSource(whole)], GatewayConfig.DefaultReplicaLabels, Labels.Empty, metrics);

        var answer = await SelectAsync(shard);

        Assert.Equal(whole.Select(s => s.Labels.Get("i")), answer.Select(s => s.Labels.Get("i")));
        Assert.Equal(20, answer.Count);
    }

    [Fact]
    public async Task The_last_replica_failing_mid_stream_is_a_partial_answer_with_a_warning_or_an_error_under_fail()
    {
        ISeriesSource Shard() => new ShardSource("s1", [
            new ListSource([S("up", "i", "1", "replica", "a"), S("up", "i", "2", "replica", "a"), S("up", "i", "3", "replica", "a")], failAfter: 2, sortedWithout: Prometheus),
            new ListSource([S("up", "i", "1", "replica", "b")], failAfter: 1, sortedWithout: Prometheus)], GatewayConfig.DefaultReplicaLabels, Labels.Empty);
        var whole = new ShardSource("s0", [new ListSource([S("up", "i", "0", "replica", "a")])], GatewayConfig.DefaultReplicaLabels, Labels.Empty);

        var warnings = new SourceWarnings();
        var answer = await SelectAsync(new FederatedSource([whole, Shard()], PartialResponse.Warn), warnings);
        var error = await Assert.ThrowsAsync<ShardUnavailableException>(() => SelectAsync(new FederatedSource([whole, Shard()], PartialResponse.Fail)));

        // Replica a sent series 1 and 2 before failing, b series 1: 1 was handed on, 2 (still waiting for the next series
        // to settle its place: a later one could be nested in it) was not.
        Assert.Equal(["0", "1"], answer.Select(s => s.Labels.Get("i")));
        var warning = Assert.Single(warnings.Messages);
        Assert.Contains("shard s1: every replica failed mid-answer, after 1 series", warning, StringComparison.Ordinal);
        Assert.Contains("the answer holds the 1 series that shard sent before it failed", warning, StringComparison.Ordinal);
        Assert.Contains("no partial response", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_series_is_handed_on_before_the_slowest_replica_has_finished()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new ListSource([S("up", "i", "1", "replica", "a"), S("up", "i", "2", "replica", "a"), S("up", "i", "3", "replica", "a")], waitAfter: 2, gate: gate.Task,
            sortedWithout: Prometheus);
        var fast = new ListSource([S("up", "i", "1", "replica", "b"), S("up", "i", "2", "replica", "b"), S("up", "i", "3", "replica", "b")], sortedWithout: Prometheus);
        var shard = Shard(slow, fast);

        await using var stream = shard.SelectAsync([], long.MinValue, long.MaxValue, new SelectHints(), new SourceWarnings()).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(Patience));
        var first = stream.Current;
        Assert.False(gate.Task.IsCompleted);
        gate.SetResult();
        var rest = new List<Series>();
        while (await stream.MoveNextAsync())
        {
            rest.Add(stream.Current);
        }

        Assert.Equal("1", first.Labels.Get("i"));
        Assert.Equal(["2", "3"], rest.Select(s => s.Labels.Get("i")));
    }

    [Fact]
    public async Task Every_replica_is_asked_before_any_has_answered()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var both = 0;
        void Started()
        {
            if (Interlocked.Increment(ref both) == 2)
            {
                started.SetResult();
            }
        }
        // Each replica waits for the other to have been asked: a merge reading one replica after the other would hang.
        var a = new ListSource([S("up", "i", "1", "replica", "a")], onStart: Started, waitAfter: 0, gate: started.Task);
        var b = new ListSource([S("up", "i", "2", "replica", "b")], onStart: Started, waitAfter: 0, gate: started.Task);

        var answer = await SelectAsync(Shard(a, b)).WaitAsync(Patience);

        Assert.Equal(["1", "2"], answer.Select(s => s.Labels.Get("i")));
    }

    [Fact]
    public async Task Stopping_early_or_cancelling_stops_every_replica_and_shard()
    {
        // With a shard label in the answer (it sorts after replica) an in-memory replica's series need not wait for the
        // end of its answer (a shorter label set cannot sort before a longer one it prefixes in both orders).
        var replicas = Enumerable.Range(0, 4).Select(r => new EndlessSource(r.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var federation = new FederatedSource([
            new ShardSource("s0", [replicas[0], replicas[1]], GatewayConfig.DefaultReplicaLabels, Labels.Of("shard", "s0")),
            new ShardSource("s1", [replicas[2], replicas[3]], GatewayConfig.DefaultReplicaLabels, Labels.Of("shard", "s1"))], PartialResponse.Fail);

        var taken = 0;
        await foreach (var series in federation.SelectAsync([], long.MinValue, long.MaxValue, new SelectHints(), new SourceWarnings()))
        {
            if (++taken == 50)
            {
                break;
            }
        }
        Assert.All(replicas, r => Assert.Equal(1, r.Stopped));

        using var cancel = new CancellationTokenSource();
        var again = Enumerable.Range(0, 2).Select(r => new EndlessSource(r.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var shard = new ShardSource("s", [again[0], again[1]], GatewayConfig.DefaultReplicaLabels, Labels.Of("shard", "s"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var series in shard.SelectAsync([], long.MinValue, long.MaxValue, new SelectHints(), new SourceWarnings(), cancel.Token))
            {
                if (series.Labels.Get("i") == "00010")
                {
                    await cancel.CancelAsync();
                }
            }
        });
        Assert.All(again, r => Assert.Equal(1, r.Stopped));
        Assert.True(replicas.Concat(again).All(r => r.Produced < 10_000), "a replica went on reading after the merge stopped");
    }

    /// <summary>
    /// A streamed remote read through the gateway whose second shard fails after the answer has begun: the reader sees a
    /// broken answer, never a short one passed off as whole, whatever policy the configuration sets, since a remote
    /// read answer has no place for the warning <c>warn</c> would add.
    /// </summary>
    [Theory]
    [InlineData(PartialResponse.Fail)]
    [InlineData(PartialResponse.Warn)]
    public async Task A_shard_failing_after_a_streamed_remote_read_began_cuts_the_answer_under_either_policy(PartialResponse partial)
    {
        var many = Enumerable.Range(0, 3000).Select(i => S("up", "i", i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), "replica", "a")).ToList();
        var whole = new ShardSource("shard-0", [new ListSource(many, sortedWithout: Prometheus)], GatewayConfig.DefaultReplicaLabels, Labels.Empty);
        // Sends 9997 and 9998 at once (9997's place is then settled), then fails a second later, after the answer began.
        var failing = new ShardSource("shard-1", [new ListSource([S("up", "i", "9997", "replica", "a"), S("up", "i", "9998", "replica", "a"),
            S("up", "i", "9999", "replica", "a")], failAfter: 2, waitAfter: 2, gate: Task.Delay(TimeSpan.FromSeconds(1)), sortedWithout: Prometheus)],
            GatewayConfig.DefaultReplicaLabels, Labels.Empty);
        var metrics = new GatewayMetrics();
        await using var server = await GatewayServer.StartAsync(new Gateway(InMemoryTopology.Config(2, partial: partial), [whole, failing], metrics),
            new GatewayServerOptions(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var client = new Headroom.Prometheus.RemoteRead.RemoteReadClient(http, server.BaseUri);
        var query = new Headroom.Prometheus.RemoteRead.RemoteReadQuery([new LabelMatcher(LabelMatchType.Equal, "__name__", "up")], 0, 100_000);

        var e = await Assert.ThrowsAsync<Headroom.Prometheus.RemoteRead.RemoteReadException>(() => client.ReadAsync([query]));
        Assert.DoesNotContain("HTTP", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A replica that hangs (sent one series, then nothing, never ending) is left out once the other has answered in
    /// full and the patience has passed: the answer comes from the complete replica, and the query does not wait for
    /// the backend timeout.
    /// </summary>
    [Fact]
    public async Task A_hung_replica_is_left_out_after_the_patience_once_another_has_answered()
    {
        var hang = new TaskCompletionSource();
        var a = new ListSource([S("up", "i", "1", "replica", "a"), S("up", "i", "2", "replica", "a"), S("up", "i", "3", "replica", "a")]);
        var b = new ListSource([S("up", "i", "1", "replica", "b"), S("up", "i", "2", "replica", "b")], waitAfter: 1, gate: hang.Task);
        var shard = new ShardSource("s", [a, b], GatewayConfig.DefaultReplicaLabels, Labels.Empty, replicaPatience: TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var answer = await SelectAsync(shard).WaitAsync(Patience);

        Assert.Equal(["1", "2", "3"], answer.Select(s => s.Labels.Get("i")));
        // What the hung replica sent may still sit in its reordering buffer when it is left out: the answer is the
        // complete replica's.
        Assert.Equal(a.Series.Select(s => s.Points), answer.Select(s => s.Points));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_hung_replica_holds_label_names_only_for_the_patience()
    {
        var shard = new ShardSource("s", [new LabelsSource(["instance", "job"], hang: false), new LabelsSource(["job", "zone"], hang: true)],
            GatewayConfig.DefaultReplicaLabels, Labels.Empty, replicaPatience: TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var names = await shard.LabelNamesAsync([], long.MinValue, long.MaxValue, new SourceWarnings()).WaitAsync(Patience);

        Assert.Equal(["instance", "job"], names);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    /// <summary>A replica that answers label names at once, or never (until cancelled).</summary>
    private sealed class LabelsSource(string[] names, bool hang) : ISeriesSource
    {
        public SourceInfo Info => SourceInfo.Unbounded;

        public IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
            SourceWarnings warnings, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public async Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
            CancellationToken cancellationToken = default)
        {
            if (hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            return names;
        }

        public Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
            SourceWarnings warnings, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private static ShardSource Shard(params ISeriesSource[] replicas) =>
        new("s", replicas, GatewayConfig.DefaultReplicaLabels, Labels.Empty);

    private static async Task<List<Series>> SelectAsync(ISeriesSource source, SourceWarnings? warnings = null)
    {
        var list = new List<Series>();
        await foreach (var series in source.SelectAsync([], long.MinValue, long.MaxValue, new SelectHints(), warnings ?? new SourceWarnings()))
        {
            list.Add(series);
        }
        return list;
    }

    /// <summary>What the gateway answered before it streamed: every copy read, grouped, joined, then sorted.</summary>
    private static List<Series> Buffered(IEnumerable<ListSource> replicas, IReadOnlyList<string> replicaLabels, Labels external)
    {
        var copies = new Dictionary<Labels, List<Series>>();
        foreach (var series in replicas.SelectMany(r => r.Series))
        {
            var labels = series.Labels.Without(replicaLabels);
            foreach (var label in external.Where(l => !labels.Has(l.Name)))
            {
                labels = labels.With(label.Name, label.Value);
            }
            if (!copies.TryGetValue(labels, out var list))
            {
                copies[labels] = list = [];
            }
            list.Add(series);
        }
        return [.. copies.Select(p => new Series(p.Key, p.Value.Count == 1 ? p.Value[0].Points : ReplicaDeduplicator.Merge([.. p.Value.Select(s => s.Points)], out _)))
            .OrderBy(s => s.Labels, Comparer<Labels>.Create(Labels.Compare))];
    }

    private static Labels Merged(Labels core, Labels external)
    {
        var labels = core;
        foreach (var label in external.Where(l => !core.Has(l.Name)))
        {
            labels = labels.With(label.Name, label.Value);
        }
        return labels;
    }

    private static FloatPoint[] Points(Random random)
    {
        var start = random.Next(3) * 1000L;
        return [.. Enumerable.Range(0, 20).Where(_ => random.NextDouble() < 0.8).Select(i => new FloatPoint(start + (i * 15_000L), i))];
    }

    /// <summary>A series <c>name{k=v,…}</c> with two samples; replica b's are a second later than replica a's.</summary>
    private static Series S(string name, params string[] pairs)
    {
        var labels = Labels.Of(["__name__", name, .. pairs]);
        var offset = labels.Get("replica") == "b" ? 1000L : 0L;
        return new Series(labels, [new FloatPoint(offset, 1), new FloatPoint(offset + 15_000, 2)]);
    }

    /// <summary>Sends its series in the order given, whatever the matchers; may wait at a gate, or fail after some.</summary>
    /// <remarks>
    /// With <paramref name="sortedWithout"/> it says, as a Prometheus server does, that its order leaves those labels
    /// out (its external labels); otherwise it is sorted by all labels, as an in-memory source is.
    /// </remarks>
    private sealed class ListSource(IReadOnlyList<Series> series, int failAfter = -1, int waitAfter = -1, Task? gate = null,
        Action? onStart = null, string[]? sortedWithout = null) : ISeriesSource, IServerOrdered
    {
        public IReadOnlyList<Series> Series => series;

        public SourceInfo Info => SourceInfo.Unbounded;

        public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
            SourceWarnings warnings, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            onStart?.Invoke();
            for (var i = 0; i < series.Count; i++)
            {
                if (i == waitAfter && gate is not null)
                {
                    await gate.WaitAsync(cancellationToken);
                }
                if (i == failAfter)
                {
                    throw new HttpRequestException("the connection broke");
                }
                await Task.Yield();
                yield return series[i];
            }
            if (failAfter >= series.Count)
            {
                throw new HttpRequestException("the connection broke");
            }
        }

        public Task<IReadOnlyCollection<string>> SortedWithoutAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyCollection<string>>(sortedWithout ?? []);

        public Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
            SourceWarnings warnings, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    /// <summary>Sends <c>up{i="00000"}</c>, <c>up{i="00001"}</c>, … without end; counts what it produced and whether it was stopped.</summary>
    private sealed class EndlessSource(string replica) : ISeriesSource
    {
        private int _stopped;
        private int _produced;

        public int Stopped => Volatile.Read(ref _stopped);

        public int Produced => Volatile.Read(ref _produced);

        public SourceInfo Info => SourceInfo.Unbounded;

        public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
            SourceWarnings warnings, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            try
            {
                for (var i = 0; i < 1_000_000; i++)
                {
                    await Task.Yield();
                    cancellationToken.ThrowIfCancellationRequested();
                    Interlocked.Increment(ref _produced);
                    yield return new Series(Labels.Of("__name__", "up", "i", i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture), "replica", replica),
                        [new FloatPoint(0, i)]);
                }
            }
            finally
            {
                Interlocked.Increment(ref _stopped);
            }
        }

        public Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
            SourceWarnings warnings, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
