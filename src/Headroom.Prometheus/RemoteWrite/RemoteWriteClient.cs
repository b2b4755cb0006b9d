using System.Net;
using System.Net.Http.Headers;
using Headroom.Prometheus.Client;
using Snappier;

namespace Headroom.Prometheus.RemoteWrite;

/// <summary>What became of one remote write request.</summary>
public enum RemoteWriteStatus
{
    /// <summary>The receiver took it (2xx).</summary>
    Sent,

    /// <summary>Worth sending again: 5xx, 429, a network failure or a timeout.</summary>
    Retry,

    /// <summary>The receiver refused it for good (4xx other than 429): sending it again would be refused again.</summary>
    Rejected,
}

/// <summary>The outcome of one request: its status, the HTTP code (0 for a network failure) and what went wrong.</summary>
public sealed record RemoteWriteResult(RemoteWriteStatus Status, int HttpStatus, string Message);

/// <summary>
/// Sends remote write 1.0 requests (<c>prometheus.WriteRequest</c>, snappy block compressed) to a receiver such as
/// Prometheus' <c>/api/v1/write</c>, Mimir, Thanos Receive or Amazon Managed Prometheus. One request per call, no
/// retries: <see cref="RemoteWriteQueue"/> decides what to send again.
/// </summary>
public sealed class RemoteWriteClient
{
    private readonly HttpClient _http;
    private readonly Action<HttpRequestMessage, byte[]>? _sign;

    /// <param name="http">The HTTP client (TLS, basic auth and the timeout are configured on it).</param>
    /// <param name="endpoint">The receiver's write URL, e.g. <c>http://127.0.0.1:9090/api/v1/write</c>.</param>
    /// <param name="sign">Signs each request after its headers are set, given the compressed body (SigV4 for AMP); null for none.</param>
    public RemoteWriteClient(HttpClient http, Uri endpoint, Action<HttpRequestMessage, byte[]>? sign = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        _http = http;
        // Credentials in the URL would end up in log lines; the HTTP client carries them instead.
        Endpoint = Credentials.Strip(endpoint);
        _sign = sign;
    }

    /// <summary>The receiver's write URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>Compresses a WriteRequest's protobuf bytes with snappy, as the protocol requires.</summary>
    public static byte[] Compress(byte[] request) => Snappy.CompressToArray(request);

    /// <summary>Sends one snappy-compressed WriteRequest.</summary>
    public async Task<RemoteWriteResult> SendAsync(byte[] compressed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint);
        request.Content = new ByteArrayContent(compressed);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        request.Content.Headers.ContentEncoding.Add("snappy");
        request.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("headroom", "0.1"));
        _sign?.Invoke(request, compressed);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
                return new RemoteWriteResult(RemoteWriteStatus.Sent, (int)response.StatusCode, "");
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var message = $"{Endpoint} answered HTTP {(int)response.StatusCode}: {Shorten(body.Trim(), response.ReasonPhrase)}";
            var retry = (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests;
            return new RemoteWriteResult(retry ? RemoteWriteStatus.Retry : RemoteWriteStatus.Rejected, (int)response.StatusCode, message);
        }
        catch (HttpRequestException e)
        {
            return new RemoteWriteResult(RemoteWriteStatus.Retry, 0, $"cannot reach {Endpoint}: {e.Message}");
        }
        catch (IOException e)
        {
            return new RemoteWriteResult(RemoteWriteStatus.Retry, 0, $"the connection to {Endpoint} broke: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RemoteWriteResult(RemoteWriteStatus.Retry, 0, $"{Endpoint} did not answer within {_http.Timeout.TotalSeconds:F0} s");
        }
    }

    private static string Shorten(string body, string? reason) => body.Length == 0 ? reason ?? "" : body.Length <= 500 ? body : body[..500] + "…";
}
