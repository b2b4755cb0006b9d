using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Headroom.Testing;

namespace Headroom.CloudWatch.Tests;

/// <summary>
/// A fault injector on a loopback port in front of moto_server: for an X-Amz-Target it answers with scripted responses
/// (5xx, throttling, a first page with a NextToken) and forwards everything else to moto. moto cannot throttle or fail
/// on demand, so retry and pagination behaviour is tested through this; the data still comes from moto.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly Uri _moto;
    private readonly HttpClient _forward = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Status, string Body)>> _script = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Operation, Func<string, bool> When, int Status, string Body)> _conditional = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _stalled = new(StringComparer.Ordinal);
    private readonly LoopbackHttpServer _server;

    public FaultProxy(Uri moto)
    {
        _moto = moto;
        // The server hands each request to its own task: a stalled region must not hold up another region's requests
        // queued behind it (one AWS region timing out does not slow the others), nor one slow moto answer the rest of a
        // concurrent batch.
        _server = new LoopbackHttpServer(ServeOneAsync);
        Endpoint = _server.BaseUri;
    }

    public Uri Endpoint { get; }

    /// <summary>Request bodies received, by operation (the part of X-Amz-Target after the dot).</summary>
    public ConcurrentQueue<(string Operation, string Body)> Received { get; } = new();

    /// <summary>Answers the next request for <paramref name="operation"/> with this status and JSON body instead of forwarding it.</summary>
    public void Enqueue(string operation, int status, string body) =>
        _script.GetOrAdd(operation, _ => new ConcurrentQueue<(int, string)>()).Enqueue((status, body));

    /// <summary>
    /// As <see cref="Enqueue"/>, for the next request for <paramref name="operation"/> whose body <paramref name="when"/>
    /// accepts (a window's GetMetricData, not the history probe before it); checked before the plain script, in order.
    /// </summary>
    public void EnqueueWhen(string operation, Func<string, bool> when, int status, string body) =>
        _conditional.Enqueue((operation, when, status, body));

    /// <summary>Changes a request body before it is forwarded, given the operation and the body (e.g. resource type names moto spells its own way).</summary>
    public Func<string, string, string>? Rewrite { get; set; }

    /// <summary>Holds every request signed for <paramref name="region"/> this long before answering it: a region that times out.</summary>
    public void Stall(string region, TimeSpan delay) => _stalled[region] = delay;

    /// <summary>A query-protocol (STS, EC2) error body as AWS sends it.</summary>
    public static string XmlError(string code, string message) =>
        $"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>headroom-fault</RequestId></ErrorResponse>";

    /// <summary>A JSON 1.0 error body as AWS sends it.</summary>
    public static string Error(string code, string message) => $$"""{"__type":"com.amazonaws.cloudwatch#{{code}}","message":"{{message}}"}""";

    private async Task ServeOneAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        try
        {
            await HandleAsync(context, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or HttpListenerException)
        {
            try
            {
                context.Response.StatusCode = 502;
                context.Response.Close();
            }
            catch (Exception closing) when (closing is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // The client is gone.
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // The client gave up on a stalled request and the proxy is being disposed.
        }
    }

    private async Task HandleAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(cancellationToken);
        var target = context.Request.Headers["X-Amz-Target"] ?? "";
        // JSON protocols name the operation in X-Amz-Target; query protocols (STS, EC2, through the AWS SDK) in the body's Action.
        var operation = target.Length > 0 ? target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..]
            : System.Web.HttpUtility.ParseQueryString(body)["Action"] ?? "";
        Received.Enqueue((operation, body));
        if (Rewrite is { } rewrite)
            body = rewrite(operation, body);
        var authorization = context.Request.Headers["Authorization"] ?? "";
        foreach (var (region, delay) in _stalled)
        {
            if (authorization.Contains($"/{region}/", StringComparison.Ordinal))
                await Task.Delay(delay, cancellationToken);
        }

        int status;
        byte[] answer;
        string contentType;
        if (_conditional.TryPeek(out var next) && next.Operation == operation && next.When(body) && _conditional.TryDequeue(out var conditional))
        {
            (status, answer, contentType) = (conditional.Status, Encoding.UTF8.GetBytes(conditional.Body), conditional.Body.StartsWith('<') ? "text/xml" : "application/x-amz-json-1.0");
        }
        else if (_script.TryGetValue(operation, out var queue) && queue.TryDequeue(out var scripted))
        {
            (status, answer, contentType) = (scripted.Status, Encoding.UTF8.GetBytes(scripted.Body), scripted.Body.StartsWith('<') ? "text/xml" : "application/x-amz-json-1.0");
        }
        else
        {
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), new Uri(_moto, context.Request.RawUrl ?? "/"))
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
            };
            foreach (var name in context.Request.Headers.AllKeys.OfType<string>())
            {
                if (name is "Host" or "Content-Length")
                    continue;
                var value = context.Request.Headers[name]!;
                if (!request.Headers.TryAddWithoutValidation(name, value))
                    request.Content.Headers.TryAddWithoutValidation(name, value);
            }
            using var response = await _forward.SendAsync(request, cancellationToken);
            status = (int)response.StatusCode;
            answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            contentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength64 = answer.Length;
        await context.Response.OutputStream.WriteAsync(answer, cancellationToken);
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _forward.Dispose();
    }
}
