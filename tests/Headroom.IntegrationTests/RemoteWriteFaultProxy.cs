using System.Net;
using Headroom.Testing;

namespace Headroom.IntegrationTests;

/// <summary>
/// A loopback proxy in front of a real remote write receiver that answers 503 while <see cref="Down"/> is set and
/// forwards every request otherwise, so an outage of the receiver can be switched on and off.
/// </summary>
internal sealed class RemoteWriteFaultProxy : IAsyncDisposable
{
    private readonly HttpClient _forward = new();
    private readonly Uri _target;
    private readonly LoopbackHttpServer _server;

    public RemoteWriteFaultProxy(Uri target)
    {
        _target = target;
        _server = new LoopbackHttpServer(ServeAsync);
        Url = new Uri(_server.BaseUri, "api/v1/write");
    }

    public Uri Url { get; }

    public volatile bool Down;

    public int Refused;

    public int Forwarded;

    private async Task ServeAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, cancellationToken);
            if (Down)
            {
                Interlocked.Increment(ref Refused);
                context.Response.StatusCode = 503;
            }
            else
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _target) { Content = new ByteArrayContent(body.ToArray()) };
                request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
                request.Content.Headers.TryAddWithoutValidation("Content-Encoding", context.Request.Headers["Content-Encoding"]);
                request.Headers.TryAddWithoutValidation("X-Prometheus-Remote-Write-Version", context.Request.Headers["X-Prometheus-Remote-Write-Version"]);
                using var response = await _forward.SendAsync(request, cancellationToken);
                Interlocked.Increment(ref Forwarded);
                context.Response.StatusCode = (int)response.StatusCode;
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or HttpListenerException)
        {
            context.Response.StatusCode = 502;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _forward.Dispose();
    }
}
