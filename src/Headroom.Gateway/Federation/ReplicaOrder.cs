using System.Diagnostics.CodeAnalysis;
using Headroom.PromQL;

namespace Headroom.Gateway.Federation;

/// <summary>
/// Puts one replica's series, relabelled as the shard answers them (replica labels dropped, the shard's external labels
/// added), back into label order as they stream, holding back only the few whose place is not settled yet.
/// </summary>
/// <remarks>
/// <para>
/// Dropping or adding labels can reorder series. Labels compare pair by pair and a shorter set sorts first, so
/// <c>{a="1",replica="r"}</c> sorts after <c>{a="1",b="2",replica="r"}</c> (<c>b</c> &lt; <c>replica</c>) while
/// <c>{a="1"}</c> sorts before <c>{a="1",b="2"}</c>. What a replica sends is ordered either by all its labels (in-memory
/// sources) or, as Prometheus streams chunks, by its TSDB labels before it merges its external labels in (the client
/// sorts a SAMPLES answer that way too). Both orders, and the shard's, are the series' <em>core</em> (its labels without the
/// <paramref name="shifting"/> names: replica labels, the shard's and the replica's external labels) with a few labels
/// of those names slotted in, the same ones on every series of the replica.
/// </para>
/// <para>
/// Two such orders can disagree about two series only when one's core is a prefix of the other's: at the first core
/// pair where both differ, the slotted labels are the same on both sides and cannot change the outcome. So a series
/// X is released once (a) a later series' core is neither X's core nor an extension of it (series with cores extending
/// X's come together, so none can follow) and (b) where X's replica order slots a label after a core label that the
/// shard's order does not, the one shorter core that could still come after X and sort before it has been passed.
/// (b) arises only when the replica's order holds a shifting label (its replica label, say) that sorts after every
/// shifting label of the shard's answer: a replica sorted by all its labels, replica label included, in a shard that
/// adds no label sorting after it. Such a replica (an in-memory one in the tests) is mostly held until its answer ends. For
/// Prometheus' answers, sorted without its external labels, only (a) holds anything back, and a series is released as
/// soon as the next arrives unless the selection mixes label sets nested in one another.
/// </para>
/// <para>
/// These rules assume the shifting labels are the same on every series of the replica. If they are not, a series may
/// be released too early; <see cref="SortedSeriesMerge"/> notices the replica going out of order and treats it as
/// failed from there on, so the answer stays sorted and each series stays once.
/// </para>
/// </remarks>
/// <param name="shifting">Label names that may be on a series in the replica's order but not in the shard's, or the other way round.</param>
/// <param name="sortedWithout">The names among them the replica's order leaves out (a Prometheus server's external labels); empty when it sorts by all labels.</param>
internal sealed class ReplicaOrder(IReadOnlySet<string> shifting, IReadOnlyCollection<string> sortedWithout)
{
    // Ties (two series that differ only in a dropped label) keep the replica's order.
    private readonly PriorityQueue<Held, (Labels Labels, long Sequence)> _held = new(Comparer<(Labels Labels, long Sequence)>.Create(
        static (a, b) => Labels.Compare(a.Labels, b.Labels) is var c && c != 0 ? c : a.Sequence.CompareTo(b.Sequence)));
    private long _sequence;
    private Label[] _lastCore = [];
    private Labels _lastRaw = Labels.Empty;
    private Labels? _lastKey;

    /// <summary>Series held back, waiting for their place to be settled.</summary>
    public int Waiting => _held.Count;

    /// <summary>
    /// Takes the replica's next series: its labels as the replica sent them, and the series as the shard answers it
    /// (null when the shard leaves it out).
    /// </summary>
    public void Add(Labels raw, Series? answer)
    {
        var core = Core(raw);
        _sequence++;
        _lastCore = core;
        _lastRaw = raw;
        _lastKey = null;
        if (answer is not null)
        {
            _held.Enqueue(new Held(answer, core, Threshold(raw, core, answer.Labels), _sequence), (answer.Labels, _sequence));
        }
    }

    /// <summary>
    /// The lowest held series if nothing still to come can sort before it, with any other held series of the same labels
    /// (series that differ only in a dropped label: nothing still to come can have their labels either).
    /// </summary>
    public bool TryTake([NotNullWhen(true)] out List<Series>? copies) => TryTake(atEnd: false, out copies);

    /// <summary>At the end of the replica's answer: the held series in order, those of the same labels together.</summary>
    public bool TryTakeAtEnd([NotNullWhen(true)] out List<Series>? copies) => TryTake(atEnd: true, out copies);

    private bool TryTake(bool atEnd, [NotNullWhen(true)] out List<Series>? copies)
    {
        if (!_held.TryPeek(out var held, out _) || (!atEnd && !Settled(held)))
        {
            copies = null;
            return false;
        }
        _held.Dequeue();
        copies = [held.Series];
        while (_held.TryPeek(out var same, out _) && same.Series.Labels.Equals(held.Series.Labels))
        {
            copies.Add(_held.Dequeue().Series);
        }
        return true;
    }

    private bool Settled(Held held) =>
        held.Sequence < _sequence
        && !StartsWith(_lastCore, held.Core)
        && (held.Threshold is null || Labels.Compare(_lastKey ??= OrderKey(_lastRaw), held.Threshold) >= 0);

    /// <summary>The labels the replica's order compares: all but the names it leaves out.</summary>
    private Labels OrderKey(Labels raw) => raw.Without(sortedWithout);

    private Label[] Core(Labels labels)
    {
        var count = 0;
        foreach (var label in labels)
        {
            if (!shifting.Contains(label.Name))
            {
                count++;
            }
        }
        if (count == labels.Count)
        {
            return [.. labels];
        }
        var core = new Label[count];
        var i = 0;
        foreach (var label in labels)
        {
            if (!shifting.Contains(label.Name))
            {
                core[i++] = label;
            }
        }
        return core;
    }

    private static bool StartsWith(Label[] labels, Label[] prefix) =>
        labels.Length >= prefix.Length && labels.AsSpan(0, prefix.Length).SequenceEqual(prefix);

    /// <summary>
    /// Rule (b): the replica's labels of a series whose core is the shortest prefix of this one's that comes after it in
    /// the replica's order yet before it in the shard's; null when there is none. A prefix of length m comes after in the
    /// replica's order when some shifting label of the replica sorts after core label m, and before in the shard's when
    /// none of the shard's does; the shortest such prefix comes last of them all.
    /// </summary>
    private Labels? Threshold(Labels raw, Label[] core, Labels answer)
    {
        var replicaLast = LastShifting(raw, sortedWithout);
        if (replicaLast is null)
        {
            return null;
        }
        var shardLast = LastShifting(answer, []);
        for (var m = 1; m < core.Length; m++)
        {
            var name = core[m].Name;
            if (string.CompareOrdinal(name, replicaLast) < 0 && (shardLast is null || string.CompareOrdinal(shardLast, name) < 0))
            {
                return Labels.From(core.Take(m).Concat(raw.Where(l => shifting.Contains(l.Name) && !sortedWithout.Contains(l.Name))));
            }
        }
        return null;
    }

    /// <summary>The last (greatest) shifting label name on <paramref name="labels"/> apart from <paramref name="except"/>.</summary>
    private string? LastShifting(Labels labels, IReadOnlyCollection<string> except)
    {
        string? last = null;
        foreach (var label in labels)
        {
            if (shifting.Contains(label.Name) && !except.Contains(label.Name))
            {
                last = label.Name;
            }
        }
        return last;
    }
    private sealed record Held(Series Series, Label[] Core, Labels? Threshold, long Sequence);
}
