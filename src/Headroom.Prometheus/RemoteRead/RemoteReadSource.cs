using System.Runtime.CompilerServices;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// The PromQL engine's storage over a remote Prometheus: each selection is one remote read query, hints
/// included, answered as streamed XOR chunks (or SAMPLES from servers that do not stream).
/// </summary>
public sealed class RemoteReadSource(RemoteReadClient client) : ISeriesSource
{
    private readonly RemoteReadClient _client = client ?? throw new ArgumentNullException(nameof(client));
    private int _requests;

    /// <summary>Remote read requests sent so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <inheritdoc />
    /// <exception cref="RemoteReadException">The read failed.</exception>
    public SourceInfo Info => SourceInfo.Unbounded;

    /// <inheritdoc />
    /// <remarks>Remote read has no label call: this reads the matching series and collects their names.</remarks>
    public async Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var series in SelectAsync(matchers, minT, maxT, new SelectHints(), warnings, cancellationToken).ConfigureAwait(false))
        {
            foreach (var label in series.Labels)
            {
                names.Add(label.Name);
            }
        }
        return [.. names];
    }

    /// <inheritdoc />
    /// <remarks>Remote read has no label call: this reads the matching series and collects the values.</remarks>
    public async Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default)
    {
        var values = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var series in SelectAsync(matchers, minT, maxT, new SelectHints(), warnings, cancellationToken).ConfigureAwait(false))
        {
            var value = series.Labels.Get(name);
            if (value.Length > 0)
            {
                values.Add(value);
            }
        }
        return [.. values];
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each series is yielded as soon as its last frame has arrived, while the rest of the answer is still on the way,
    /// so decoding overlaps the server's reading and the network (a SAMPLES answer from an older server is read whole first).
    /// </remarks>
    /// <exception cref="RemoteReadException">The read failed.</exception>
    public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        Interlocked.Increment(ref _requests);
        await foreach (var item in _client.StreamAsync([new RemoteReadQuery(matchers, minT, maxT, hints)], warnings, cancellationToken).ConfigureAwait(false))
        {
            yield return item.Series;
        }
    }
}
