using System.Net;
using Headroom.CloudWatch.Collection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Headroom.Demo;

/// <summary>The collector's <c>/metrics</c> on a free loopback port, as <c>headroom cloudwatch serve</c> exposes it.</summary>
internal sealed class CollectorExporter : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CollectorExporter(WebApplication app, IPEndPoint address, Uri url)
    {
        _app = app;
        Address = address;
        Url = url;
    }

    /// <summary>Where Prometheus scrapes it: <c>127.0.0.1:port</c>.</summary>
    public IPEndPoint Address { get; }

    /// <summary>The base URL, ending with a slash.</summary>
    public Uri Url { get; }

    public static async Task<CollectorExporter> StartAsync(CollectorLoops loops, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/metrics", async (CancellationToken ct) => Results.Text(await loops.RenderAsync(ct).ConfigureAwait(false), "text/plain; version=0.0.4; charset=utf-8"));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var uri = new Uri(address);
        return new CollectorExporter(app, new IPEndPoint(IPAddress.Loopback, uri.Port), new Uri(address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
