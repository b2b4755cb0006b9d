using System.Net;
using Headroom.Prometheus.Exposition;
using Headroom.Prometheus.ServerApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Headroom.Fleet;

/// <summary>Serves the fleet's hosts as node_exporter targets at <c>/hosts/{id}/metrics</c>.</summary>
public sealed partial class FleetServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FleetServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:9100/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>host:port, as a file_sd target.</summary>
    public string Address => $"{BaseUri.Host}:{BaseUri.Port}";

    /// <summary>Starts serving <paramref name="fleet"/> on <paramref name="endpoint"/> (port 0 picks a free port).</summary>
    /// <param name="logging">Where the server logs: its start at information, one line per request at debug. None by default.</param>
    /// <exception cref="FleetServerException">When the address is in use or cannot be bound.</exception>
    public static async Task<FleetServer> StartAsync(SimulatedFleet fleet, IPEndPoint endpoint, TimeProvider? time = null,
        ILoggerFactory? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(endpoint);
        var clock = time ?? TimeProvider.System;
        var logger = (logging ?? NullLoggerFactory.Instance).CreateLogger("headroom.fleet");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        var app = builder.Build();

        app.Use(async (context, next) =>
        {
            await next(context).ConfigureAwait(false);
            Log.Request(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode);
        });

        app.MapGet("/hosts/{id}/metrics", (string id, HttpContext context) =>
        {
            if (!fleet.ById.TryGetValue(id, out var host))
                return Results.Text($"no host '{id}' in this fleet of {fleet.Hosts.Count}; ids run from {fleet.Hosts[0].Id} to {fleet.Hosts[^1].Id}\n", "text/plain", statusCode: StatusCodes.Status404NotFound);
            // A host's exposition is a few kilobytes: render it whole (Kestrel forbids synchronous writes to the body).
            return Results.Bytes(Exposition.ToBytes(host, clock.GetUtcNow()), ExpositionWriter.TextContentType);
        });
        app.MapGet("/-/healthy", () => "Healthy\n");
        app.MapGet("/", () => Results.Text(
            $"headroom fleet: {fleet.Hosts.Count} hosts, seed {fleet.Seed}\n" +
            string.Join('\n', fleet.Hosts.Select(h => FleetTargets.MetricsPath(h.Id))) + "\n"));

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ListenFailure.Describe(e, endpoint.ToString()) is { } message)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new FleetServerException(message, e);
        }

        var bound = app.Urls.Select(static u => new Uri(u)).First();
        var baseUri = new Uri($"http://{endpoint.Address}:{bound.Port}/");
        Log.Started(logger, fleet.Hosts.Count, fleet.Seed, baseUri);
        return new FleetServer(app, baseUri);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "fleet of {Hosts} hosts (seed {Seed}) listening at {BaseUri}")]
        public static partial void Started(ILogger logger, int hosts, long seed, Uri baseUri);

        [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} {Status}")]
        public static partial void Request(ILogger logger, string method, PathString path, int status);
    }
}

/// <summary>The fleet server could not start.</summary>
public sealed class FleetServerException : Exception
{
    public FleetServerException()
    {
    }

    public FleetServerException(string message)
        : base(message)
    {
    }

    public FleetServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
