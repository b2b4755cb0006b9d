using System.Net;
using Headroom.Prometheus.Exposition;
using Headroom.Prometheus.ServerApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Headroom.Ruler;

/// <summary>
/// The ruler's HTTP endpoints: <c>/metrics</c>, <c>/-/healthy</c>, <c>/-/ready</c> (ready once the group loops run) and
/// <c>POST /-/reload</c>; SIGHUP reloads the rule files too, as it does Prometheus'.
/// </summary>
public sealed class RulerServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IDisposable? _sighup;

    private RulerServer(WebApplication app, Uri baseUri, Ruler ruler)
    {
        _app = app;
        BaseUri = baseUri;
        _sighup = ReloadSignal.Register(() => _ = ruler.ReloadAsync("SIGHUP"));
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:9096/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>Listens on <paramref name="listen"/> (port 0 picks a free one) for <paramref name="ruler"/>.</summary>
    /// <exception cref="InvalidOperationException">The address is taken or cannot be listened on; the message says which.</exception>
    public static async Task<RulerServer> StartAsync(Ruler ruler, IPEndPoint listen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ruler);
        ArgumentNullException.ThrowIfNull(listen);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen));
        var app = builder.Build();
        app.MapGet("/-/healthy", () => "Healthy\n");
        app.MapGet("/-/ready", () => ruler.Ready ? Results.Text("Ready\n") : Results.Text("Not ready: the rule groups have not started\n", statusCode: 503));
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = ExpositionWriter.TextContentType;
            await ruler.Metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
        app.MapPost("/-/reload", async (HttpContext context) => await ruler.ReloadAsync("POST /-/reload", context.RequestAborted).ConfigureAwait(false) is { Succeeded: false } refused
            ? Results.Text($"Not reloaded; the rules loaded before keep running. {refused.Problems}\n", statusCode: 500)
            : Results.Text($"Reloaded: {ruler.GroupCount} groups ({ruler.RuleCount} rules)\n"));
        app.MapFallback((HttpContext context) => Results.Text($"no endpoint {context.Request.Path}; the ruler serves /metrics, /-/healthy, /-/ready and POST /-/reload\n", statusCode: 404));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ListenFailure.Describe(e, listen.ToString()) is { } message)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(message, e);
        }
        var bound = new Uri(app.Urls.First());
        return new RulerServer(app, new Uri($"http://{listen.Address}:{bound.Port}/"), ruler);
    }

    public async ValueTask DisposeAsync()
    {
        _sighup?.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
