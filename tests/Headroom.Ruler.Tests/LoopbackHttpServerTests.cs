using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Headroom.Testing;

namespace Headroom.Ruler.Tests;

/// <summary>
/// The test servers' shared primitive (the remote write receiver here is one): stopping it with a request in flight
/// ends quietly and promptly, a client hanging up is the client's business, and any other error of its handler as it
/// listens fails the test at dispose.
/// </summary>
public sealed class LoopbackHttpServerTests
{
    [Fact]
    public async Task Disposing_with_a_body_half_sent_completes_quietly_and_promptly()
    {
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = false;
        var server = new LoopbackHttpServer(async (context, cancellationToken) =>
        {
            reading.TrySetResult();
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, cancellationToken);
            context.Response.StatusCode = 204;
            answered = true;
        });
        using var client = new TcpClient();
        await client.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port);
        var stream = client.GetStream();
        // The headers promise 1000 bytes; 10 come and the client waits, as a sender stopped mid-request does.
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /api/v1/write HTTP/1.1\r\nHost: {server.BaseUri.Authority}\r\nContent-Length: 1000\r\n\r\n0123456789"));
        await reading.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var watch = Stopwatch.StartNew();
        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"dispose took {watch.Elapsed}");
        Assert.False(answered);
    }

    [Fact]
    public async Task A_client_that_hangs_up_mid_body_is_no_error_of_the_server()
    {
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new LoopbackHttpServer(async (context, cancellationToken) =>
        {
            if (context.Request.Url!.AbsolutePath != "/write")
                return;
            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body, cancellationToken);
            }
            catch (Exception e)
            {
                failed.TrySetResult(e);
                throw;
            }
        });
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port);
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"POST /write HTTP/1.1\r\nHost: {server.BaseUri.Authority}\r\nContent-Length: 1000\r\n\r\n0123456789"));
            client.Client.LingerState = new LingerOption(true, 0);
        }
        // The handler's read failed with the connection, as the server went on listening.
        var error = await failed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(error is HttpListenerException or IOException, error.ToString());
        using (var http = new HttpClient())
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.BaseUri, "works"))).StatusCode);

        await server.DisposeAsync();
    }

    [Fact]
    public async Task A_handler_error_as_it_listens_answers_500_and_is_thrown_at_dispose()
    {
        var server = new LoopbackHttpServer((context, _) =>
            context.Request.Url!.AbsolutePath == "/fails" ? throw new InvalidOperationException("the handler's own bug") : Task.CompletedTask);
        using (var http = new HttpClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.BaseUri, "works"))).StatusCode);
            Assert.Equal(HttpStatusCode.InternalServerError, (await http.GetAsync(new Uri(server.BaseUri, "fails"))).StatusCode);
            // The server goes on serving after an error.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.BaseUri, "works"))).StatusCode);
        }

        var thrown = await Assert.ThrowsAsync<AggregateException>(() => server.DisposeAsync().AsTask());

        var error = Assert.Single(thrown.InnerExceptions);
        Assert.Equal("the handler's own bug", error.Message);
    }
}
