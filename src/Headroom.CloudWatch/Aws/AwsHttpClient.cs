using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Xml;
using System.Xml.Linq;
using Headroom.CloudWatch.Collection;
using Headroom.Prometheus.Aws;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Headroom.CloudWatch.Aws;

/// <summary>
/// Calls AWS JSON-protocol APIs: signs with SigV4, limits concurrency per API, retries throttling, 5xx and network
/// errors with exponential backoff and full jitter, and counts every request in the self-metrics. Retries are logged at debug.
/// </summary>
internal sealed class AwsHttpClient(HttpClient http, AwsEndpoints endpoints, CollectorMetrics metrics, TimeProvider time, RetryOptions? retry = null,
    ILogger? logger = null)
{
    private readonly RetryOptions _retry = retry ?? RetryOptions.Default;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _limits = new(StringComparer.Ordinal);

    public CollectorMetrics Metrics => metrics;

    public TimeProvider Time => time;

    /// <summary>A JSON-protocol call: POST with the API's target and content type.</summary>
    public Task<TResponse> CallAsync<TRequest, TResponse>(
        AwsApi api, string region, AwsCredentials credentials, TRequest body,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        return SendAsync(api, region, credentials, HttpMethod.Post, endpoints.For(api.Service, region), payload, Json(api, responseType), cancellationToken);
    }

    /// <summary>
    /// A Query-protocol call (RDS, ElastiCache, Redshift, Elastic Load Balancing): a form POST of <c>Action</c>,
    /// <c>Version</c> and <paramref name="parameters"/>, answered with XML.
    /// </summary>
    public Task<XDocument> QueryAsync(AwsApi api, string region, AwsCredentials credentials, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var form = new[] { new KeyValuePair<string, string>("Action", api.Name), new("Version", api.Target) }.Concat(parameters);
        var payload = Encoding.UTF8.GetBytes(string.Join('&', form.Select(static p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
        return SendAsync(api, region, credentials, HttpMethod.Post, endpoints.For(api.Service, region), payload, (status, text) =>
        {
            try
            {
                using var stream = new MemoryStream(text);
                return XDocument.Load(stream);
            }
            catch (XmlException e)
            {
                throw new AwsApiException(api.Name, status, "MalformedResponse", $"the answer is not XML: {e.Message}", e);
            }
        }, cancellationToken);
    }

    /// <summary>A REST GET of <paramref name="pathAndQuery"/> (Lambda's API), answered with JSON.</summary>
    public Task<TResponse> GetAsync<TResponse>(AwsApi api, string region, AwsCredentials credentials, string pathAndQuery, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        SendAsync(api, region, credentials, HttpMethod.Get, new Uri(endpoints.For(api.Service, region), pathAndQuery), [], Json(api, responseType), cancellationToken);

    private static Func<HttpStatusCode, byte[], TResponse> Json<TResponse>(AwsApi api, JsonTypeInfo<TResponse> responseType) => (status, text) =>
    {
        try
        {
            return JsonSerializer.Deserialize(text, responseType) ?? throw new AwsApiException(api.Name, status, "EmptyResponse", "the answer had no body");
        }
        catch (JsonException e)
        {
            throw new AwsApiException(api.Name, status, "MalformedResponse", $"the answer is not the expected JSON: {e.Message}", e);
        }
    };

    private async Task<TResponse> SendAsync<TResponse>(
        AwsApi api, string region, AwsCredentials credentials, HttpMethod method, Uri endpoint, byte[] payload,
        Func<HttpStatusCode, byte[], TResponse> parse, CancellationToken cancellationToken)
    {
        return await WithRetriesAsync(api, async () =>
        {
            using var request = new HttpRequestMessage(method, endpoint);
            if (method == HttpMethod.Post)
            {
                request.Content = new ByteArrayContent(payload);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(api.ContentType);
                if (!api.IsQuery)
                    request.Headers.TryAddWithoutValidation("X-Amz-Target", api.Target);
            }
            SigV4Signer.Sign(request, payload, credentials, region, api.Service.SigningName, time.GetUtcNow());
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new AwsApiException(api.Name, null, "NetworkError", $"{endpoint}: {e.Message}", e);
            }
            using (response)
            {
                var text = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    throw Error(api, response.StatusCode, text);
                return parse(response.StatusCode, text);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> under <paramref name="api"/>'s concurrency limit, counting each try, retrying
    /// retryable failures. Also used for the AWSSDK clients (EC2, STS) so that they are counted and limited alike.
    /// </summary>
    public async Task<T> WithRetriesAsync<T>(AwsApi api, Func<Task<T>> attempt, CancellationToken cancellationToken)
    {
        var limit = _limits.GetOrAdd(api.Name, _ => new SemaphoreSlim(_retry.ConcurrencyPerApi));
        for (var i = 1; ; i++)
        {
            await limit.WaitAsync(cancellationToken).ConfigureAwait(false);
            AwsApiException failure;
            try
            {
                metrics.Requests.WithLabels(api.Name).Inc();
                return await attempt().ConfigureAwait(false);
            }
            catch (AwsApiException e)
            {
                failure = e;
            }
            finally
            {
                limit.Release();
            }

            if (failure.IsThrottling)
                metrics.Throttles.WithLabels(api.Name).Inc();
            if (!failure.IsRetryable || i >= _retry.MaxAttempts)
            {
                metrics.Errors.WithLabels(api.Name, failure.Code).Inc();
                throw failure;
            }
            metrics.Retries.WithLabels(api.Name).Inc();
            var delay = Backoff(i);
            CollectorLog.Retrying(_logger, api.Name, failure.Code, (long)delay.TotalMilliseconds, i + 1, _retry.MaxAttempts);
            await Task.Delay(delay, _retry.BackoffClock ?? time, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_retry.MaxDelay.TotalMilliseconds, _retry.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        // Full jitter: concurrent callers throttled together do not come back together.
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private static AwsApiException Error(AwsApi api, HttpStatusCode status, byte[] body)
    {
        string code = status.ToString(), message = "";
        if (body.Length > 0 && body[0] == (byte)'<')
            return QueryError(api, status, body);
        try
        {
            if (body.Length > 0 && JsonSerializer.Deserialize(body, AwsJsonContext.Default.AwsErrorBody) is { } error)
            {
                // "__type" is "ThrottlingException" or "com.amazonaws.cloudwatch#ThrottlingException".
                if (error.Type is { Length: > 0 } type)
                    code = type[(type.LastIndexOf('#') + 1)..];
                message = error.Message ?? error.LowerMessage ?? "";
            }
        }
        catch (JsonException)
        {
            message = System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200)));
        }
        return new AwsApiException(api.Name, status, code, message.Length > 0 ? message : $"HTTP {(int)status}");
    }

    /// <summary>The Query protocol's error: <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code&gt;…&lt;/Code&gt;&lt;Message&gt;…</c>.</summary>
    private static AwsApiException QueryError(AwsApi api, HttpStatusCode status, byte[] body)
    {
        string code = status.ToString(), message = "";
        try
        {
            using var stream = new MemoryStream(body);
            var document = XDocument.Load(stream);
            code = document.Descendants().FirstOrDefault(static e => e.Name.LocalName == "Code")?.Value is { Length: > 0 } c ? c : code;
            message = document.Descendants().FirstOrDefault(static e => e.Name.LocalName == "Message")?.Value ?? "";
        }
        catch (XmlException)
        {
            message = Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200)));
        }
        return new AwsApiException(api.Name, status, code, message.Length > 0 ? message : $"HTTP {(int)status}");
    }
}
