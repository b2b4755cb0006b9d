using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Headroom.Demo;

/// <summary>
/// The receiving end of Alertmanager's webhook, in process on a free loopback port: it counts the firing
/// notifications per alert name, so the demo can show how many times an alert reached whoever is paged.
/// </summary>
internal sealed class AlertWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, int> _firing = new(StringComparer.Ordinal);

    private AlertWebhook(WebApplication app) => _app = app;

    /// <summary>The URL for Alertmanager's <c>webhook_configs</c>.</summary>
    public Uri Uri { get; private set; } = null!;

    public static async Task<AlertWebhook> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var webhook = new AlertWebhook(app);
        app.MapPost("/hook", webhook.ReceiveAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        webhook.Uri = new Uri($"http://127.0.0.1:{new Uri(app.Urls.First()).Port}/hook");
        return webhook;
    }

    /// <summary>Firing notifications that carried <paramref name="alertName"/> so far.</summary>
    public int Firing(string alertName)
    {
        lock (_firing)
            return _firing.GetValueOrDefault(alertName);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        JsonDocument json;
        try
        {
            json = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            return Results.BadRequest($"not an Alertmanager webhook payload: {e.Message}");
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.TryGetProperty("status", out var status) && status.GetString() == "firing" && root.TryGetProperty("alerts", out var alerts))
            {
                var names = alerts.EnumerateArray()
                    .Select(static a => a.TryGetProperty("labels", out var l) && l.TryGetProperty("alertname", out var n) ? n.GetString() ?? "" : "")
                    .Distinct(StringComparer.Ordinal);
                lock (_firing)
                {
                    foreach (var name in names)
                        _firing[name] = _firing.GetValueOrDefault(name) + 1;
                }
            }
        }
        return Results.Ok();
    }
}
