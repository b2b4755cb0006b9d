using System.Net;
using Headroom.Servers;

namespace Headroom.IntegrationTests;

/// <summary>
/// A loopback proxy in front of a real remote write receiver that answers 503 while <see cref="Down"/> is set and
/// forwards every request otherwise, so an outage of the receiver can be switched on and off.
/// </summary>
internal sealed class RemoteWriteFaultProxy : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _forward = new();
    private readonly Uri _target;
    private readonly Task _loop;

    public RemoteWriteFaultProxy(Uri target)
    {
        _target = target;
        var port = FreePort.Next();
        Url = new Uri($"http://127.0.0.1:{port}/api/v1/write");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    public volatile bool Down;

    public int Refused;

    public int Forwarded;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
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
                    using var response = await _forward.SendAsync(request);
                    Interlocked.Increment(ref Forwarded);
                    context.Response.StatusCode = (int)response.StatusCode;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or HttpListenerException)
            {
                context.Response.StatusCode = 502;
            }
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
        _forward.Dispose();
    }
}
