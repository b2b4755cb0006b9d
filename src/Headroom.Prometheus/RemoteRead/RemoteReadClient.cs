using System.Net.Http.Headers;
using Headroom.PromQL;
using Snappier;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// A client of Prometheus' remote read endpoint (<c>POST /api/v1/read</c>, protocol 0.1.0): protobuf
/// ReadRequest and ReadResponse, snappy block-compressed, whole series per query (the SAMPLES response type).
/// Prometheus serves it without any flag; Thanos, Mimir and VictoriaMetrics speak it too.
/// </summary>
public sealed class RemoteReadClient
{
    private static readonly MediaTypeHeaderValue Protobuf = new("application/x-protobuf");

    private readonly HttpClient _http;
    private readonly Uri _endpoint;

    /// <param name="http">The HTTP client (auth, TLS and timeouts are configured on it).</param>
    /// <param name="baseUri">The server's root, e.g. <c>http://127.0.0.1:9090/</c>; a path prefix is kept.</param>
    public RemoteReadClient(HttpClient http, Uri baseUri)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUri);
        _http = http;
        // Credentials in the URL travel in the client's Authorization header; keep them out of the endpoint and messages.
        var root = new UriBuilder(baseUri) { UserName = "", Password = "" }.Uri;
        root = root.AbsoluteUri.EndsWith('/') ? root : new Uri(root.AbsoluteUri + "/");
        _endpoint = new Uri(root, "api/v1/read");
    }

    /// <summary>The remote read URL, <c>…/api/v1/read</c>.</summary>
    public Uri Endpoint => _endpoint;

    /// <summary>Reads the series of every query in one request; the answer holds one list per query, in order.</summary>
    /// <exception cref="RemoteReadException">The server is unreachable, answered an error, or sent an unreadable payload.</exception>
    public async Task<IReadOnlyList<IReadOnlyList<Series>>> ReadAsync(IReadOnlyList<RemoteReadQuery> queries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Count == 0)
        {
            return [];
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        request.Content = new ByteArrayContent(Snappy.CompressToArray(RemoteReadCodec.EncodeRequest(queries)));
        request.Content.Headers.ContentType = Protobuf;
        request.Content.Headers.ContentEncoding.Add("snappy");
        request.Headers.Add("X-Prometheus-Remote-Read-Version", "0.1.0");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-protobuf"));

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RemoteReadException($"cannot reach {_endpoint}: {e.Message}; check the URL and that the server is running", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RemoteReadException($"{_endpoint} did not answer within {_http.Timeout.TotalSeconds:F0} s", e);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 1000)).Trim();
                var advice = response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden
                    ? "; check the credentials"
                    : "";
                throw new RemoteReadException(
                    $"remote read from {_endpoint} failed with HTTP {(int)response.StatusCode}: {(text.Length > 0 ? text : response.ReasonPhrase)}{advice}",
                    (int)response.StatusCode);
            }
            var contentType = response.Content.Headers.ContentType?.MediaType;
            if (contentType != Protobuf.MediaType)
            {
                throw new RemoteReadException(
                    $"remote read from {_endpoint} answered Content-Type '{contentType}', not application/x-protobuf; is this a Prometheus remote read endpoint?");
            }
            byte[] payload;
            try
            {
                payload = Snappy.DecompressToArray(body);
            }
            catch (InvalidDataException e)
            {
                throw new RemoteReadException($"remote read from {_endpoint} answered a body that is not snappy-compressed: {e.Message}", e);
            }
            List<List<Series>> results;
            try
            {
                results = RemoteReadCodec.DecodeResponse(payload);
            }
            catch (InvalidDataException e)
            {
                throw new RemoteReadException($"remote read from {_endpoint} answered a payload that is not a ReadResponse: {e.Message}", e);
            }
            if (results.Count != queries.Count)
            {
                throw new RemoteReadException($"remote read from {_endpoint} answered {results.Count} results for {queries.Count} queries");
            }
            return results;
        }
    }
}
