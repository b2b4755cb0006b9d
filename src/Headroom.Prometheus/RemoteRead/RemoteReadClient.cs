using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Headroom.Prometheus.Client;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Snappier;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// A client of Prometheus' remote read endpoint (<c>POST /api/v1/read</c>, protocol 0.1.0). It asks for streamed XOR
/// chunks first and SAMPLES second: a server that streams (Prometheus 2.13 and later) sends each series as compressed
/// chunks in CRC-checked frames, read and decoded as they arrive; an older one, or anything that answers plain
/// <c>application/x-protobuf</c>, sends one snappy-compressed ReadResponse. Thanos, Mimir and VictoriaMetrics speak it too.
/// </summary>
public sealed partial class RemoteReadClient
{
    private const string ProtobufType = "application/x-protobuf";
    private const string StreamedType = "application/x-streamed-protobuf";
    private const string StreamedProto = "prometheus.ChunkedReadResponse";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly RemoteReadResponseType[] _accepted;
    private int _lastResponseType = -1;

    /// <param name="http">The HTTP client (auth, TLS and timeouts are configured on it).</param>
    /// <param name="baseUri">The server's root, e.g. <c>http://127.0.0.1:9090/</c>; a path prefix is kept.</param>
    /// <param name="responseType">
    /// The preferred answer: <see cref="RemoteReadResponseType.StreamedXorChunks"/> (the default) also accepts SAMPLES
    /// from servers that do not stream; <see cref="RemoteReadResponseType.Samples"/> asks for SAMPLES only.
    /// </param>
    public RemoteReadClient(HttpClient http, Uri baseUri, RemoteReadResponseType responseType = RemoteReadResponseType.StreamedXorChunks)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUri);
        _http = http;
        // Credentials in the URL travel in the client's Authorization header; keep them out of the endpoint and messages.
        var root = Credentials.Strip(baseUri);
        root = root.AbsoluteUri.EndsWith('/') ? root : new Uri(root.AbsoluteUri + "/");
        _endpoint = new Uri(root, "api/v1/read");
        _accepted = responseType == RemoteReadResponseType.StreamedXorChunks
            ? [RemoteReadResponseType.StreamedXorChunks, RemoteReadResponseType.Samples]
            : [RemoteReadResponseType.Samples];
    }

    /// <summary>The remote read URL, <c>…/api/v1/read</c>.</summary>
    public Uri Endpoint => _endpoint;

    /// <summary>
    /// Whether to ask with <c>?partial_response=true</c> (default false, and the parameter is then not sent). A Headroom
    /// gateway with a shard down answers such a request with its other shards' series and names the shard it left out
    /// in <see cref="UnavailableShardsHeader"/>, which this client turns into a warning (or hands to a caller that asks
    /// for it, to warn only of what the answers it keeps leave out); asked without it, such a
    /// gateway answers 503 naming the shard (<see cref="RemoteReadException.UnavailableShards"/>). Prometheus ignores
    /// the parameter.
    /// </summary>
    public bool AllowPartialResponse { get; init; }

    /// <summary>The shape of the most recent answer (null before the first); tells whether the server streams.</summary>
    public RemoteReadResponseType? LastResponseType => Volatile.Read(ref _lastResponseType) is var t and >= 0 ? (RemoteReadResponseType)t : null;

    /// <summary>Reads the series of every query in one request; the answer holds one list per query, in order, each sorted by labels.</summary>
    /// <remarks>Series without samples in the query's range are left out.</remarks>
    /// <exception cref="RemoteReadException">The server is unreachable, answered an error, or sent an unreadable payload.</exception>
    public async Task<IReadOnlyList<IReadOnlyList<Series>>> ReadAsync(IReadOnlyList<RemoteReadQuery> queries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var results = new List<Series>[queries.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = [];
        }
        await foreach (var item in StreamAsync(queries, null, cancellationToken).ConfigureAwait(false))
        {
            results[item.QueryIndex].Add(item.Series);
        }
        return results;
    }

    /// <summary>
    /// Streams the series of every query in one request as they arrive: per query, sorted by labels, each complete
    /// and with samples in the query's range. A streamed answer is decoded frame by frame and never held whole;
    /// a SAMPLES answer is read whole, then sorted. (A streaming Prometheus sorts by the labels its TSDB holds and merges
    /// its external labels in afterwards, which can put label sets nested in one another out of that order; see
    /// <see cref="StreamInServerOrderAsync(IReadOnlyList{RemoteReadQuery}, IReadOnlyCollection{string}, SourceWarnings?, CancellationToken)"/>.)
    /// </summary>
    /// <param name="queries">The queries; each series says which one it answers.</param>
    /// <param name="warnings">Where non-fatal problems go (native histogram chunks left out); may be null.</param>
    /// <param name="cancellationToken">Stops the read and closes the connection.</param>
    /// <exception cref="RemoteReadException">The server is unreachable, answered an error, or sent an unreadable payload.</exception>
    public IAsyncEnumerable<RemoteReadSeries> StreamAsync(IReadOnlyList<RemoteReadQuery> queries, SourceWarnings? warnings = null,
        CancellationToken cancellationToken = default) => StreamCoreAsync(queries, null, null, warnings, cancellationToken);

    /// <summary>
    /// Streams like <see cref="StreamAsync"/>, with every answer in the order a streaming Prometheus sends its series:
    /// sorted by their labels without the server's external labels (it sorts its TSDB's labels, then merges its external
    /// labels in, which can reorder label sets nested in one another). A SAMPLES answer is sorted that way too, so a
    /// caller that merges answers as they stream can rely on one order whatever the server sends.
    /// </summary>
    /// <param name="queries">The queries; each series says which one it answers.</param>
    /// <param name="externalLabelNames">The names of the server's external labels (from its configuration).</param>
    /// <param name="warnings">Where non-fatal problems go (native histogram chunks left out); may be null.</param>
    /// <param name="cancellationToken">Stops the read and closes the connection.</param>
    /// <exception cref="RemoteReadException">The server is unreachable, answered an error, or sent an unreadable payload.</exception>
    public IAsyncEnumerable<RemoteReadSeries> StreamInServerOrderAsync(IReadOnlyList<RemoteReadQuery> queries, IReadOnlyCollection<string> externalLabelNames,
        SourceWarnings? warnings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(externalLabelNames);
        return StreamCoreAsync(queries, externalLabelNames, null, warnings, cancellationToken);
    }

    /// <summary>
    /// Streams like <see cref="StreamInServerOrderAsync(IReadOnlyList{RemoteReadQuery}, IReadOnlyCollection{string}, SourceWarnings?, CancellationToken)"/>,
    /// but hands the shards a Headroom gateway's partial answer leaves out (its <see cref="UnavailableShardsHeader"/>) to
    /// <paramref name="leftOut"/> instead of turning them into a warning: once, when the answer's headers arrive and before
    /// its first series, with an empty list when it names none. A caller that reads several copies of the same data
    /// (replicas) can so warn only of what the copies it keeps leave out (<see cref="PartialAnswerWarning"/>).
    /// </summary>
    /// <param name="queries">The queries; each series says which one it answers.</param>
    /// <param name="externalLabelNames">The names of the server's external labels (from its configuration).</param>
    /// <param name="leftOut">Told the shards the answer leaves out.</param>
    /// <param name="warnings">Where other non-fatal problems go (native histogram chunks left out); may be null.</param>
    /// <param name="cancellationToken">Stops the read and closes the connection.</param>
    /// <exception cref="RemoteReadException">The server is unreachable, answered an error, or sent an unreadable payload.</exception>
    public IAsyncEnumerable<RemoteReadSeries> StreamInServerOrderAsync(IReadOnlyList<RemoteReadQuery> queries, IReadOnlyCollection<string> externalLabelNames,
        Action<IReadOnlyList<string>> leftOut, SourceWarnings? warnings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(externalLabelNames);
        ArgumentNullException.ThrowIfNull(leftOut);
        return StreamCoreAsync(queries, externalLabelNames, leftOut, warnings, cancellationToken);
    }

    /// <summary>The warning for a Headroom gateway's answer from this endpoint that leaves out <paramref name="shards"/>.</summary>
    public string PartialAnswerWarning(IReadOnlyList<string> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        return $"partial response: remote read from {_endpoint}: that gateway's answer leaves out its shard{(shards.Count == 1 ? "" : "s")} "
            + $"{string.Join(", ", shards)}, which had no replica answering";
    }

    private async IAsyncEnumerable<RemoteReadSeries> StreamCoreAsync(IReadOnlyList<RemoteReadQuery> queries, IReadOnlyCollection<string>? sortedWithout,
        Action<IReadOnlyList<string>>? leftOut, SourceWarnings? warnings, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Count == 0)
        {
            yield break;
        }
        // HttpClient.Timeout covers only the headers once the body is streamed; keep it over the whole answer, as before.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_http.Timeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(_http.Timeout);
        }
        using var response = await SendAsync(queries, timeout.Token, cancellationToken).ConfigureAwait(false);
        if (!UnavailableShardsHeader.TryOf(response.Headers, out var unavailable))
        {
            // Taken as whole, the answer would pass off what it leaves out as missing data.
            throw new RemoteReadException($"remote read from {_endpoint} answered in part with a {UnavailableShardsHeader.Name} header naming more than "
                + $"{UnavailableShardsHeader.MaxShards} shards or longer than {UnavailableShardsHeader.MaxLength} characters; what it leaves out cannot be told, so it is not used");
        }
        if (leftOut is not null)
        {
            leftOut(unavailable);
        }
        else if (unavailable.Count > 0)
        {
            warnings?.Add(PartialAnswerWarning(unavailable));
        }
        var contentType = response.Content.Headers.ContentType;
        if (contentType?.MediaType == StreamedType)
        {
            var proto = contentType.Parameters.FirstOrDefault(p => p.Name == "proto")?.Value?.Trim('"');
            if (proto is not null && proto != StreamedProto)
            {
                throw new RemoteReadException($"remote read from {_endpoint} streamed '{proto}' messages, not {StreamedProto}");
            }
            Volatile.Write(ref _lastResponseType, (int)RemoteReadResponseType.StreamedXorChunks);
            var body = await Guard(() => response.Content.ReadAsStreamAsync(timeout.Token), cancellationToken).ConfigureAwait(false);
            using var reader = new StreamedSeriesReader(body, queries, _endpoint.ToString(), warnings);
            while (await Guard(() => reader.NextAsync(timeout.Token).AsTask(), cancellationToken).ConfigureAwait(false) is { } series)
            {
                yield return series;
            }
        }
        else if (contentType?.MediaType == ProtobufType)
        {
            Volatile.Write(ref _lastResponseType, (int)RemoteReadResponseType.Samples);
            var body = await Guard(() => response.Content.ReadAsByteArrayAsync(timeout.Token), cancellationToken).ConfigureAwait(false);
            var results = DecodeSamples(body, queries.Count);
            for (var i = 0; i < results.Count; i++)
            {
                IEnumerable<Series> sorted = sortedWithout is { Count: > 0 }
                    ? results[i].OrderBy(s => s.Labels.Without(sortedWithout), Comparer<Labels>.Create(Labels.Compare))
                    : results[i].Order(Comparer<Series>.Create(static (a, b) => Labels.Compare(a.Labels, b.Labels)));
                foreach (var series in sorted)
                {
                    if (series.Points.Length > 0)
                    {
                        yield return new RemoteReadSeries(i, series);
                    }
                }
            }
        }
        else
        {
            throw new RemoteReadException(
                $"remote read from {_endpoint} answered Content-Type '{contentType?.MediaType}', not {ProtobufType} or {StreamedType}; is this a Prometheus remote read endpoint?");
        }
    }
}
