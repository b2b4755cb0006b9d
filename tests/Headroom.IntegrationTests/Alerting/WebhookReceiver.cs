using System.Net;
using System.Text.Json;
using Headroom.Testing;

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
    private readonly List<Notification> _received = [];
    private readonly LoopbackHttpServer _server;

    public WebhookReceiver()
    {
        _server = new LoopbackHttpServer(ReceiveAsync);
        Uri = new Uri(_server.BaseUri, "hook");
    }

    /// <summary>The URL to put in <c>webhook_configs</c>.</summary>
    public Uri Uri { get; }

    /// <summary>The firing notifications that carried <paramref name="alertName"/>, in arrival order.</summary>
    public IReadOnlyList<Notification> Firing(string alertName)
    {
        lock (_received)
            return _received.Where(n => n.Status == "firing" && n.AlertNames.Contains(alertName)).ToList();
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task ReceiveAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        try
        {
            using var json = await JsonDocument.ParseAsync(context.Request.InputStream, cancellationToken: cancellationToken);
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
    }
}
