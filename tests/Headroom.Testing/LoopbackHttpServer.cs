using System.Collections.Concurrent;
using System.Net;
using Headroom.Servers;

namespace Headroom.Testing;

/// <summary>
/// A test's own HTTP server on a free loopback port (a remote write receiver, a fault proxy, a webhook receiver): it
/// hands every request to a handler, each on its own task, and stops cleanly with requests in flight.
/// </summary>
/// <remarks>
/// A full suite once failed after all of a test's assertions had passed: its server was stopped while a request was
/// in flight, HttpListener threw (a NullReferenceException among others) reading the body, and the error left the
/// accept loop into the test's dispose. So a handler's error once stopping began is expected (nobody is left to
/// answer) and ignored, and so is a connection the client broke (an <see cref="HttpListenerException"/> or
/// <see cref="IOException"/>), while any other error as the server listens is a real one: the client gets a 500 and
/// <see cref="DisposeAsync"/> throws it, so the test fails instead of the error going unobserved. Dispose waits for
/// the accept loop and every handler, so nothing runs after the test's fixture is gone.
/// </remarks>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    // HttpListener cannot bind port 0: FreePort's port may be taken by another process before Start binds it.
    private const int BindAttempts = 5;

    // Stopping cancels the handlers' token and closes their connections; one still running after this ignores both.
    private static readonly TimeSpan s_handlersEnd = TimeSpan.FromSeconds(10);

    private readonly HttpListener _listener;
    private readonly Func<HttpListenerContext, CancellationToken, Task> _handle;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _serving = [];
    private readonly ConcurrentQueue<Exception> _errors = new();
    private readonly Task _accepting;
    private int _disposed;

    /// <summary>Starts serving on a free loopback port.</summary>
    /// <param name="handle">
    /// Answers one request. The server closes the response when it returns (closing it first is fine; a client that
    /// hung up before the answer is no error). The token is cancelled when the server stops.
    /// </param>
    public LoopbackHttpServer(Func<HttpListenerContext, CancellationToken, Task> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _handle = handle;
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                _listener = listener;
                BaseUri = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < BindAttempts)
            {
                listener.Close();
            }
        }
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The server's root, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>
    /// Stops accepting, ends the requests in flight and waits for their handlers. Throws an
    /// <see cref="AggregateException"/> of the errors handlers raised while the server listened, if any.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        // Stop ends the requests in flight too: a handler reading a body the client is still sending sees its read fail
        // (an HttpListenerException, "Unknown error 400", in LoopbackHttpServerTests), as well as its token cancelled.
        _listener.Stop();
        _listener.Close();
        await _accepting.ConfigureAwait(false);
        Task[] serving;
        lock (_serving)
            serving = [.. _serving];
        try
        {
            await Task.WhenAll(serving).WaitAsync(s_handlersEnd).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _errors.Enqueue(new TimeoutException($"a request handler of the test server at {BaseUri} was still running {s_handlersEnd.TotalSeconds:0}s after it stopped"));
        }
        _stopping.Dispose();
        if (!_errors.IsEmpty)
            throw new AggregateException($"the test server at {BaseUri} failed while it listened", _errors);
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                // Stop ends the pending accept with an HttpListenerException or ObjectDisposedException.
                return;
            }
            catch (Exception e)
            {
                _errors.Enqueue(e);
                return;
            }
            lock (_serving)
            {
                _serving.RemoveAll(t => t.IsCompleted);
                _serving.Add(Task.Run(() => ServeAsync(context)));
            }
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            await _handle(context, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Stopped with this request in flight: HttpListener fails reading or answering it (a
            // NullReferenceException, an ObjectDisposedException, an HttpListenerException), or the handler saw its
            // token cancelled. Nobody is left to answer.
            return;
        }
        catch (Exception e) when (e is HttpListenerException or IOException)
        {
            // The connection broke as the server listened: the client hung up (a sender timing out, a member killed with
            // SIGKILL mid-post) or reset it. That is the client's to see, not a fault of the handler: recording it would
            // fail a test for what its client chose to do.
            Cut(context);
            return;
        }
        catch (Exception e)
        {
            _errors.Enqueue(e);
            try
            {
                context.Response.StatusCode = 500;
                context.Response.Close();
            }
            catch (Exception answering) when (answering is not OutOfMemoryException)
            {
                // The answer had begun (a status can no longer be set), the client is gone or the server is stopping:
                // the error is recorded either way, and the connection is cut.
                Cut(context);
            }
            return;
        }
        try
        {
            context.Response.Close();
        }
        catch (Exception e) when (_stopping.IsCancellationRequested || e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The handler did its part; the client hung up before the answer, or the server is stopping.
        }
    }

    private static void Cut(HttpListenerContext context)
    {
        try
        {
            context.Response.Abort();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Already closed by the listener stopping: nothing left to cut.
        }
    }
}
