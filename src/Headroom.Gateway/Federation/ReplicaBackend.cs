using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using YamlDotNet.RepresentationModel;

namespace Headroom.Gateway.Federation;

/// <summary>
/// One Prometheus replica as a source: series by remote read, label names and values by the HTTP API (which, unlike
/// remote read, does not add the server's external labels: this adds them, learned once from
/// <c>/api/v1/status/config</c>).
/// </summary>
internal sealed partial class ReplicaBackend : ISeriesSource, IRangeQueryable, IServerOrdered
{
    private readonly HttpClient _http;
    private readonly RemoteReadClient _remote;
    private readonly SemaphoreSlim _externalLock = new(1, 1);
    private readonly ReplicaBackend? _whole;
    private Labels? _external;
    private int? _majorVersion;
    private ReplicaBackend? _partialView;

    public ReplicaBackend(string shard, Uri baseUri, HttpClient http)
    {
        Shard = shard;
        BaseUri = baseUri;
        _http = http;
        _remote = new RemoteReadClient(http, baseUri);
    }

    /// <summary>The view of <paramref name="whole"/> that asks for partial answers (<see cref="AllowingPartial"/>).</summary>
    private ReplicaBackend(ReplicaBackend whole)
    {
        Shard = whole.Shard;
        BaseUri = whole.BaseUri;
        _http = whole._http;
        _whole = whole;
        _remote = new RemoteReadClient(_http, BaseUri) { AllowPartialResponse = true };
    }

    /// <summary>
    /// Whether this asks for partial answers: <c>partial_response=true</c> on every request, so a gateway below with a
    /// shard down answers with its other shards (naming the one it left out) instead of a 503. The replica as built
    /// asks remote reads without the parameter (a gateway's remote read defaults to a whole answer; Prometheus is sent
    /// exactly what it always was) and label and pushed queries with <c>partial_response=false</c>, so a gateway below
    /// answers every way alike: whole, or a 503 naming its shards that are down.
    /// </summary>
    public bool Partial => _whole is not null;

    /// <summary>This replica asking for partial answers (<see cref="Partial"/>); made once and kept.</summary>
    public ReplicaBackend AllowingPartial() => _whole?.AllowingPartial() ?? (_partialView ??= new ReplicaBackend(this));

    private string PartialResponseParameter => Partial ? "partial_response=true" : "partial_response=false";

    public string Shard { get; }

    public Uri BaseUri { get; }

    /// <summary>The replica as named in logs and metrics: scheme, host and port, never credentials.</summary>
    public string Name => Credentials.Strip(BaseUri).GetLeftPart(UriPartial.Authority);

    public SourceInfo Info => SourceInfo.Unbounded;

    // Prometheus answers an unbounded remote read (int64 minimum to maximum) with nothing; years 1 to 9999 are everything.
    private static readonly long s_earliest = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long s_latest = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <remarks>
    /// Series come as Prometheus streams them, sorted by their labels without the server's external labels (a SAMPLES
    /// answer is sorted so too): see <see cref="SortedWithoutAsync"/>.
    /// </remarks>
    public IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, CancellationToken cancellationToken = default) =>
        SelectAsync(matchers, minT, maxT, hints, warnings, null, cancellationToken);

    /// <summary>
    /// Selects as <see cref="SelectAsync(IReadOnlyList{LabelMatcher}, long, long, SelectHints, SourceWarnings, CancellationToken)"/>;
    /// when <paramref name="leftOut"/> is given, the shards a gateway below names as left out of its partial answer go to
    /// it (once, before the first series) rather than into a warning: see <see cref="LeftOutWarning"/>.
    /// </summary>
    public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, Action<IReadOnlyList<string>>? leftOut, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = new RemoteReadQuery(matchers, Math.Max(minT, s_earliest), Math.Min(maxT, s_latest), hints);
        var order = await SortedWithoutAsync(cancellationToken).ConfigureAwait(false);
        var series = leftOut is null
            ? _remote.StreamInServerOrderAsync([query], order, warnings, cancellationToken)
            : _remote.StreamInServerOrderAsync([query], order, leftOut, warnings, cancellationToken);
        await foreach (var item in series.ConfigureAwait(false))
        {
            yield return item.Series;
        }
    }

    /// <summary>The warning that this replica's answer leaves out <paramref name="shards"/> of the gateway it is.</summary>
    public string LeftOutWarning(IReadOnlyList<string> shards) => _remote.PartialAnswerWarning(shards);

    /// <summary>
    /// The names of the server's external labels, which its remote read answers' order leaves out (read once from its
    /// configuration). None when the server answers but its configuration cannot be read (a proxy that lets only remote
    /// read through, say): the order is then taken to be by every label, and the shard's merge checks it. A server
    /// that does not answer at all fails here, as its remote read would, rather than after a second timeout.
    /// </summary>
    public async Task<IReadOnlyCollection<string>> SortedWithoutAsync(CancellationToken cancellationToken)
    {
        try
        {
            return [.. (await ExternalLabelsAsync(cancellationToken).ConfigureAwait(false)).Select(l => l.Name)];
        }
        catch (Exception e) when (e is RemoteReadException { StatusCode: not null } or JsonException or KeyNotFoundException
            or InvalidOperationException or YamlDotNet.Core.YamlException)
        {
            return [];
        }
    }

    public async Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default)
    {
        var external = await ExternalLabelsAsync(cancellationToken).ConfigureAwait(false);
        if (Local(matchers, external) is not { } local)
        {
            return [];
        }
        var names = await GetStringsAsync("api/v1/labels", local, minT, maxT, warnings, cancellationToken).ConfigureAwait(false);
        if (names.Count == 0)
        {
            return names;
        }
        return [.. names.Concat(external.Select(l => l.Name)).Distinct().Order(StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default)
    {
        var external = await ExternalLabelsAsync(cancellationToken).ConfigureAwait(false);
        if (Local(matchers, external) is not { } local)
        {
            return [];
        }
        var value = external.Get(name);
        if (value.Length > 0)
        {
            // Every series of this replica has the value: it has it when any series matches.
            var any = await GetStringsAsync("api/v1/labels", local, minT, maxT, warnings, cancellationToken).ConfigureAwait(false);
            return any.Count > 0 ? [value] : [];
        }
        return await GetStringsAsync($"api/v1/label/{Uri.EscapeDataString(name)}/values", local, minT, maxT, warnings, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The raw <c>data</c> of <c>/api/v1/metadata</c>: metric name → list of metadata objects.</summary>
    public async Task<Dictionary<string, JsonElement>> MetadataAsync(string? metric, CancellationToken cancellationToken)
    {
        var path = metric is null ? "api/v1/metadata" : $"api/v1/metadata?metric={Uri.EscapeDataString(metric)}";
        using var document = await GetDataAsync(path, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.GetProperty("data").EnumerateObject())
        {
            result[property.Name] = property.Value.Clone();
        }
        return result;
    }

    /// <summary>
    /// The matchers the replica's own TSDB can answer: matchers on an external label are checked here against its
    /// value and dropped (the TSDB does not hold that label). Null when one of them rules the replica out.
    /// </summary>
    private static List<LabelMatcher>? Local(IReadOnlyList<LabelMatcher> matchers, Labels external)
    {
        var local = new List<LabelMatcher>(matchers.Count);
        foreach (var matcher in matchers)
        {
            var value = external.Get(matcher.Name);
            if (value.Length == 0)
            {
                local.Add(matcher);
            }
            else if (!matcher.Matches(value))
            {
                return null;
            }
        }
        return local;
    }

    private async Task<IReadOnlyList<string>> GetStringsAsync(string path, List<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken)
    {
        var query = new List<string> { PartialResponseParameter };
        // Prometheus refuses a match[] whose every matcher matches the empty string; leave such sets unfiltered here
        // (the caller's matchers are checked again on the series when it matters).
        if (matchers.Any(m => !m.Matches("")))
        {
            query.Add("match[]=" + Uri.EscapeDataString("{" + string.Join(",", matchers.Select(m => m.ToString())) + "}"));
        }
        if (minT != long.MinValue)
        {
            query.Add("start=" + Seconds(minT));
        }
        if (maxT != long.MaxValue)
        {
            query.Add("end=" + Seconds(maxT));
        }
        var url = path + (query.Count > 0 ? "?" + string.Join("&", query) : "");
        using var document = await GetDataAsync(url, cancellationToken).ConfigureAwait(false);
        // A gateway below answering in part says so in its warnings, which go on beside this answer.
        if (document.RootElement.TryGetProperty("warnings", out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            foreach (var message in messages.EnumerateArray())
            {
                if (message.GetString() is { Length: > 0 } text)
                {
                    warnings.Add(Forwarded(text));
                }
            }
        }
        return [.. document.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString() ?? "")];
    }

    private static string Seconds(long ms) => Headroom.Prometheus.ServerApi.PromValueFormat.Timestamp(ms);

    private async Task<JsonDocument> GetDataAsync(string path, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(new Uri(BaseUri, path), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RemoteReadException($"cannot reach {Name}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RemoteReadException($"{Name} did not answer within {_http.Timeout.TotalSeconds:F0} s", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new RemoteReadException($"{Name} answered HTTP {(int)response.StatusCode} to {path}: {Truncate(text)}", (int)response.StatusCode)
                {
                    UnavailableShards = UnavailableShardsHeader.Of(response.Headers),
                };
            }
            try
            {
                using var stream = await OpenJsonAsync(response, cancellationToken).ConfigureAwait(false);
                return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new RemoteReadException($"{Name} answered {path} with a body that is not JSON: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// The body of a JSON answer. The gateway does not ask for compression (GatewayServer's client sends no
    /// Accept-Encoding), but a proxy in front of a replica may gzip anyway: such a body is inflated here.
    /// </summary>
    private static async Task<Stream> OpenJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return response.Content.Headers.ContentEncoding.Contains("gzip", StringComparer.OrdinalIgnoreCase)
            ? new GZipStream(stream, CompressionMode.Decompress)
            : stream;
    }

    /// <summary>
    /// A warning from the replica's own answer, as this gateway passes it on. A gateway below that left shards out says
    /// so in a warning of its own (<c>partial response: shard shard-1: ...</c>), which would read as one of this
    /// gateway's shards: it goes on naming that gateway and the shard it serves here. Others (PromQL's annotations) go
    /// on as the replica wrote them, so the same one from several shards is one warning.
    /// </summary>
    private string Forwarded(string message) => message.StartsWith(PartialResponsePrefix, StringComparison.Ordinal)
        ? $"{PartialResponsePrefix}gateway {Name} (shard {Shard}): {message[PartialResponsePrefix.Length..]}"
        : message;

    private const string PartialResponsePrefix = "partial response: ";

    public async Task<Labels> ExternalLabelsAsync(CancellationToken cancellationToken)
    {
        if (_whole is not null)
        {
            return await _whole.ExternalLabelsAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_external is { } known)
        {
            return known;
        }
        await _externalLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_external is { } again)
            {
                return again;
            }
            try
            {
                using var document = await GetDataAsync("api/v1/status/config", cancellationToken).ConfigureAwait(false);
                var yaml = document.RootElement.GetProperty("data").GetProperty("yaml").GetString() ?? "";
                _external = ParseExternalLabels(yaml);
            }
            catch (RemoteReadException e) when (e.StatusCode is 404 or 405)
            {
                // Another gateway (or a proxy) that serves no configuration: its series carry every label it adds.
                _external = Labels.Empty;
            }
            return _external;
        }
        finally
        {
            _externalLock.Release();
        }
    }

    /// <summary>
    /// The major version of the replica's Prometheus (2 for <c>2.42.0+ds</c>), read once from
    /// <c>/api/v1/status/buildinfo</c>; null when the replica does not answer or names no version.
    /// </summary>
    public async Task<int?> MajorVersionAsync(CancellationToken cancellationToken) =>
        _majorVersion ??= await new PrometheusClient(_http, BaseUri).MajorVersionAsync(cancellationToken).ConfigureAwait(false);

    internal static Labels ParseExternalLabels(string configYaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(configYaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("global"), out var global) || global is not YamlMappingNode globalMap
            || !globalMap.Children.TryGetValue(new YamlScalarNode("external_labels"), out var labels) || labels is not YamlMappingNode labelMap)
        {
            return Labels.Empty;
        }
        return Labels.From(labelMap.Children.Select(p => new Label(((YamlScalarNode)p.Key).Value ?? "", (p.Value as YamlScalarNode)?.Value ?? ""))
            .Where(l => l.Name.Length > 0 && l.Value.Length > 0));
    }

    private static string Truncate(string text) => text.Length <= 300 ? text.Trim() : text[..300].Trim() + "…";
}
