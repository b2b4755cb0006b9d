using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Headroom.PromQL.Engine;

namespace Headroom.Prometheus.Client;

/// <summary>
/// A client of the Prometheus HTTP API (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>). Works against
/// Prometheus and anything that speaks its API (Thanos, Mimir, VictoriaMetrics, Headroom's gateway).
/// Queries are POSTed as forms so long expressions never hit URL limits.
/// </summary>
/// <remarks>
/// Every query asks for a whole answer (<c>partial_response=false</c>): a gateway over shards (Headroom's, Thanos Query)
/// otherwise answers a query with a shard down as a success that leaves the shard's series out, with only a warning to
/// say so, and whoever reads this client's answers (the ETL, the shard planner) would take the missing series as
/// absent. Asked this way the gateway answers an error, which is retried and, if it lasts, fails the read. Prometheus
/// itself ignores the parameter.
/// </remarks>
public sealed class PrometheusClient
{
    private static readonly KeyValuePair<string, string> WholeAnswer = new("partial_response", "false");
    private readonly HttpClient _http;
    private readonly Uri _baseUri;

    /// <param name="http">The HTTP client (auth, TLS and resilience are configured on it).</param>
    /// <param name="baseUri">The server's root, e.g. <c>http://127.0.0.1:9090/</c>; a path prefix is kept.</param>
    public PrometheusClient(HttpClient http, Uri baseUri)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        _http = http;
        _baseUri = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
    }

    /// <summary>Evaluates <paramref name="query"/> at one instant (now when <paramref name="time"/> is null).</summary>
    public Task<QueryResponse> QueryAsync(string query, DateTimeOffset? time = null, CancellationToken cancellationToken = default)
    {
        var form = new List<KeyValuePair<string, string>> { new("query", query), WholeAnswer };
        if (time is { } t)
            form.Add(new("time", FormatTime(t)));
        return PostAsync("api/v1/query", form, cancellationToken);
    }

    /// <summary>Evaluates <paramref name="query"/> over [<paramref name="start"/>, <paramref name="end"/>] every <paramref name="step"/>.</summary>
    public Task<QueryResponse> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken = default)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("query", query),
            new("start", FormatTime(start)),
            new("end", FormatTime(end)),
            new("step", step.TotalSeconds.ToString(CultureInfo.InvariantCulture)),
            WholeAnswer,
        };
        return PostAsync("api/v1/query_range", form, cancellationToken);
    }

    /// <summary>
    /// Which window edges the server's PromQL has, from the version <c>/api/v1/status/buildinfo</c> names: Prometheus 2
    /// counts a sample exactly on a window's left edge, Prometheus 3 does not (a Headroom gateway names the one its
    /// answers agree with). <see cref="WindowLeftEdge.Excluded"/>, the engine's default, when the server names no
    /// version or cannot be asked: the query that follows says what is wrong with the server, if anything.
    /// </summary>
    public async Task<WindowLeftEdge> LeftEdgeAsync(CancellationToken cancellationToken = default) =>
        await KnownLeftEdgeAsync(cancellationToken).ConfigureAwait(false) ?? WindowLeftEdge.Excluded;

    /// <summary>
    /// As <see cref="LeftEdgeAsync"/>, but null when the server names no version or cannot be asked, for a caller that
    /// asks again later rather than settle for the default (the ruler, whose source may be down when it starts).
    /// </summary>
    public async Task<WindowLeftEdge?> KnownLeftEdgeAsync(CancellationToken cancellationToken = default) =>
        await MajorVersionAsync(cancellationToken).ConfigureAwait(false) switch
        {
            null => null,
            < 3 => WindowLeftEdge.Included,
            _ => WindowLeftEdge.Excluded,
        };

    /// <summary>
    /// The major version <c>/api/v1/status/buildinfo</c> names (2 for <c>2.42.0+ds</c>); null when the server names none,
    /// answers something else, or cannot be asked.
    /// </summary>
    public async Task<int?> MajorVersionAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri(_baseUri, "api/v1/status/buildinfo"), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return null;
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var version = document.RootElement.GetProperty("data").GetProperty("version").GetString() ?? "";
            return int.TryParse(version.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
            || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private async Task<QueryResponse> PostAsync(string path, List<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseUri, path);
        HttpResponseMessage response;
        try
        {
            using var content = new FormUrlEncodedContent(form);
            response = await _http.PostAsync(uri, content, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new PrometheusApiException($"cannot reach {_baseUri}: {e.Message}; check the URL and that the server is running", null, null, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PrometheusApiException($"{uri} did not answer within {_http.Timeout.TotalSeconds:F0} s", null, "timeout", e);
        }

        using (response)
        {
            if (response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
            {
                throw new PrometheusApiException(
                    $"{_baseUri} refused the credentials (HTTP {(int)response.StatusCode}); check the basic-auth user and password or the bearer token",
                    (int)response.StatusCode, "unauthorized");
            }

            ApiResponse? body;
            try
            {
                body = await response.Content.ReadFromJsonAsync(PrometheusJsonContext.Default.ApiResponse, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new PrometheusApiException(
                    $"{uri} answered HTTP {(int)response.StatusCode} with a body that is not Prometheus API JSON; is this a Prometheus-compatible endpoint?",
                    (int)response.StatusCode, null, e);
            }

            if (body is null || body.Status != "success")
            {
                var detail = body?.Error ?? response.ReasonPhrase ?? "no error message";
                throw new PrometheusApiException($"{uri} answered HTTP {(int)response.StatusCode}: {body?.ErrorType}: {detail}".Replace(": : ", ": ", StringComparison.Ordinal),
                    (int)response.StatusCode, body?.ErrorType);
            }
            return ResultParser.Parse(body.Data, [.. body.Warnings ?? [], .. body.Infos ?? []]);
        }
    }

    private static string FormatTime(DateTimeOffset time) =>
        (time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}
