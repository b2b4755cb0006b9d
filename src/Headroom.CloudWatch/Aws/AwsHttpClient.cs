using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
        return SendAsync(api, region, credentials, HttpMethod.Post, endpoints.For(api.Service, region), payload, responseType, cancellationToken);
    }

    /// <summary>A REST GET of <paramref name="pathAndQuery"/> (Lambda's API), answered with JSON.</summary>
    public Task<TResponse> GetAsync<TResponse>(AwsApi api, string region, AwsCredentials credentials, string pathAndQuery, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        SendAsync(api, region, credentials, HttpMethod.Get, new Uri(endpoints.For(api.Service, region), pathAndQuery), [], responseType, cancellationToken);

    private async Task<TResponse> SendAsync<TResponse>(
        AwsApi api, string region, AwsCredentials credentials, HttpMethod method, Uri endpoint, byte[] payload,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        return await WithRetriesAsync(api, async () =>
        {
            using var request = new HttpRequestMessage(method, endpoint);
            if (method == HttpMethod.Post)
            {
                request.Content = new ByteArrayContent(payload);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(api.ContentType);
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
                try
                {
                    return JsonSerializer.Deserialize(text, responseType) ?? throw new AwsApiException(api.Name, response.StatusCode, "EmptyResponse", "the answer had no body");
                }
                catch (JsonException e)
                {
                    throw new AwsApiException(api.Name, response.StatusCode, "MalformedResponse", $"the answer is not the expected JSON: {e.Message}", e);
                }
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
}
