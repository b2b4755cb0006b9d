using System.Net;
using System.Text.Json;
using Headroom.Servers;

namespace Headroom.IntegrationTests.Alerting;

/// <summary>One webhook notification as Alertmanager posted it.</summary>
/// <param name="Sender">The sending Alertmanager's <c>externalURL</c> (its listen port tells the members apart).</param>
/// <param name="Status">The group's status, <c>firing</c> or <c>resolved</c>.</param>
/// <param name="AlertNames">The <c>alertname</c> of every alert in the notification.</param>
/// <param name="At">When it arrived.</param>
internal sealed record Notification(Uri Sender, string Status, IReadOnlyList<string> AlertNames, DateTimeOffset At)
{
    public override string ToString() => $"{Status} {string.Join(",", AlertNames)} from {Sender.Authority} at {At:HH:mm:ss.fff}";
}

/// <summary>
/// The receiving end of Alertmanager's webhook on a loopback port: it answers 200 and records every notification,
/// so a test can count them. It is the receiver an operator would run, not a stand-in for a Headroom component.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly List<Notification> _received = [];
    private readonly Task _loop;

    public WebhookReceiver()
    {
        // HttpListener cannot bind port 0; a port taken in between fails Start, which a retry with a new port fixes.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                _listener = listener;
                Uri = new Uri($"http://127.0.0.1:{port}/hook");
                break;
            }
            catch (HttpListenerException) when (attempt < 3)
            {
                listener.Close();
            }
        }
        _loop = Task.Run(ReceiveAsync);
    }

    /// <summary>The URL to put in <c>webhook_configs</c>.</summary>
    public Uri Uri { get; }

    /// <summary>The firing notifications that carried <paramref name="alertName"/>, in arrival order.</summary>
    public IReadOnlyList<Notification> Firing(string alertName)
    {
        lock (_received)
            return _received.Where(n => n.Status == "firing" && n.AlertNames.Contains(alertName)).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (HttpListenerException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _listener.Close();
    }

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            var context = await _listener.GetContextAsync();
            try
            {
                using var json = await JsonDocument.ParseAsync(context.Request.InputStream);
                var root = json.RootElement;
                var names = root.GetProperty("alerts").EnumerateArray()
                    .Select(a => a.GetProperty("labels").GetProperty("alertname").GetString() ?? "").ToList();
                var notification = new Notification(new Uri(root.GetProperty("externalURL").GetString()!), root.GetProperty("status").GetString()!, names, DateTimeOffset.UtcNow);
                lock (_received)
                    _received.Add(notification);
                context.Response.StatusCode = 200;
            }
            catch (JsonException)
            {
                context.Response.StatusCode = 400;
            }
            context.Response.Close();
        }
    }
}
