using System.Net;
using Headroom.Gateway.Configuration;
using Headroom.Gateway.Http;
using Headroom.Prometheus.Configuration;
using Headroom.Prometheus.Exposition;
using Headroom.Prometheus.ServerApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Headroom.Gateway;

/// <summary>Where and how the gateway serves.</summary>
/// <param name="Listen">The address to listen on (port 0 picks a free one).</param>
/// <param name="ConfigFile">
/// The configuration file to reload on SIGHUP and on change; null when the topology came from flags or from a topology
/// file alone (then that file is reloaded).
/// </param>
/// <param name="Adjust">
/// Applied to every configuration a reload reads from the file: settings the command line overrides
/// (<c>--no-pushdown</c>, <c>--partial-response</c>) so that a reload does not undo them. The configuration passed to
/// <c>GatewayServer.StartAsync</c> is taken as it is: the caller applies its overrides to it.
/// </param>
public sealed record GatewayServerOptions(IPEndPoint Listen, string? ConfigFile = null, Func<GatewayConfig, GatewayConfig>? Adjust = null);

/// <summary>
/// <c>headroom gateway</c>'s HTTP server: Prometheus' query API over the current <see cref="Gateway"/>, plus
/// <c>/federate</c>, <c>/api/v1/read</c>, health, readiness and <c>/metrics</c>. A configuration file is reloaded on
/// SIGHUP and when it changes; a bad new file is refused with a log line and the old topology keeps serving.
/// </summary>
public sealed partial class GatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private readonly GatewayServerOptions _options;
    private readonly ILogger _logger;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly IDisposable? _sighup;
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private Gateway _gateway;
    private string _readFiles;

    private GatewayServer(WebApplication app, Gateway gateway, HttpClient http, GatewayServerOptions options, ILogger logger, Uri baseUri)
    {
        _app = app;
        _gateway = gateway;
        _http = http;
        _options = options;
        _logger = logger;
        BaseUri = baseUri;
        // The topology file the autoscaler writes is watched like the configuration; a topology_file added by a later
        // reload is read on each reload of the configuration but watched only after a restart.
        var watched = new[] { options.ConfigFile, gateway.Config.TopologyFile }.OfType<string>().ToList();
        foreach (var file in watched)
        {
            var full = Path.GetFullPath(file);
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            var reason = $"{Path.GetFileName(full)} changed";
            watcher.Changed += (_, _) => _ = ReloadAsync(reason, onlyIfChanged: true);
            watcher.Created += (_, _) => _ = ReloadAsync(reason, onlyIfChanged: true);
            watcher.Renamed += (_, _) => _ = ReloadAsync(reason, onlyIfChanged: true);
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
        _readFiles = FilesContent(gateway.Config);
        if (watched.Count > 0)
            _sighup = ReloadSignal.Register(() => _ = ReloadAsync("SIGHUP"));
    }

    /// <summary>Where the gateway listens, e.g. <c>http://127.0.0.1:9095/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The topology serving now.</summary>
    public Gateway Current => Volatile.Read(ref _gateway);

    /// <summary>Starts the gateway over <paramref name="config"/>.</summary>
    /// <exception cref="GatewayException">The address cannot be bound.</exception>
    public static Task<GatewayServer> StartAsync(GatewayConfig config, GatewayServerOptions options, ILoggerFactory? logging = null,
        TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var http = CreateHttpClient(config);
        var metrics = new GatewayMetrics();
        return StartAsync(new Gateway(config, http, metrics), options, http, logging, time, cancellationToken);
    }

    /// <summary>Starts serving a ready-made gateway (in-process shards in tests).</summary>
    public static async Task<GatewayServer> StartAsync(Gateway gateway, GatewayServerOptions options, HttpClient? http = null,
        ILoggerFactory? logging = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(options);
        http ??= CreateHttpClient(gateway.Config);
        var clock = time ?? TimeProvider.System;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var loggerFactory = logging ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("headroom.gateway");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(options.Listen);
            // A remote read or a huge match[] list arrives in the body; 32 MiB is far past any real request.
            k.Limits.MaxRequestBodySize = 32 * 1024 * 1024;
        });
        var app = builder.Build();
        GatewayServer? server = null;
        var api = new GatewayApi(() => server!.Current, clock);
        Map(app, api, () => server!, logger);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ListenFailure.Describe(e, options.Listen.ToString()) is { } message)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new GatewayException(message, e);
        }
        var bound = new Uri(app.Urls.First());
        server = new GatewayServer(app, gateway, http, options, logger, new Uri($"http://{options.Listen.Address}:{bound.Port}/"));
        var replicas = gateway.Config.Shards.Sum(s => s.Replicas.Count);
        Log.Started(logger, server.BaseUri, gateway.Config.Shards.Count, replicas);
        _ = server.LogSemanticsAsync(gateway);
        return server;
    }

    /// <summary>Reads the configuration file again and swaps in the new topology; a bad file leaves the old one serving.</summary>
    /// <returns>Whether the new configuration was taken.</returns>
    public Task<bool> ReloadAsync(string reason = "requested") => ReloadAsync(reason, onlyIfChanged: false);

    /// <summary>
    /// Reloads; with <paramref name="onlyIfChanged"/>, only when the files' content differs from what was last read. An
    /// editor's save raises several change events (truncate, write, rename): one edit is one reload, not three.
    /// </summary>
    private async Task<bool> ReloadAsync(string reason, bool onlyIfChanged)
    {
        if ((_options.ConfigFile ?? Current.Config.TopologyFile) is not { } file)
        {
            return false;
        }
        await _reloadLock.WaitAsync().ConfigureAwait(false);
        try
        {
            // Editors write a file in several steps; let it settle before reading.
            await Task.Delay(100).ConfigureAwait(false);
            var content = FilesContent(Current.Config);
            if (onlyIfChanged && content == _readFiles)
            {
                return false;
            }
            _readFiles = content;
            var read = _options.ConfigFile is not null ? GatewayConfigReader.ReadFile(file) : GatewayConfigReader.ForTopology(file);
            var config = _options.Adjust?.Invoke(read) ?? read;
            var old = Current;
            Volatile.Write(ref _gateway, new Gateway(config, _http, old.Metrics));
            old.Metrics.Reload(succeeded: true);
            Log.Reloaded(_logger, file, reason, config.Shards.Count);
            _ = LogSemanticsAsync(Current);
            return true;
        }
        catch (ConfigException e)
        {
            Current.Metrics.Reload(succeeded: false);
            Log.ReloadRefused(_logger, file, e.Message);
            return false;
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    /// <summary>The configuration file's and the topology file's text, to tell an edit from a repeated change event.</summary>
    private string FilesContent(GatewayConfig config)
    {
        try
        {
            return string.Join('\0', new[] { _options.ConfigFile, config.TopologyFile }.Select(f => f is not null && File.Exists(f) ? File.ReadAllText(f) : ""));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable now: different from anything read before, so the reload goes ahead and its reader says why.
            return Guid.NewGuid().ToString();
        }
    }

    /// <summary>
    /// Asks the replicas' versions in the background and says how the gateway will answer; a warning when pushdown is
    /// configured but the shards' window edges keep it off.
    /// </summary>
    private async Task LogSemanticsAsync(Gateway gateway)
    {
        var semantics = await gateway.SemanticsAsync(CancellationToken.None).ConfigureAwait(false);
        if (!semantics.Pushdown && gateway.Config.Pushdown)
        {
            Log.PushdownOff(_logger, semantics.Description);
        }
        else
        {
            Log.Semantics(_logger, semantics.Description);
        }
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken)
        .ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _sighup?.Dispose();
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        _reloadLock.Dispose();
    }

    private static HttpClient CreateHttpClient(GatewayConfig config)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            // No Accept-Encoding: asked for gzip, Prometheus compresses every API answer, and a pushed query's answer is
            // large (6.3 MB of JSON for histogram_quantile's inner sum over 4 shards in bench/gateway.sh): compressing
            // it on the shards and inflating it here cost more than the shards took to evaluate it (docs/benchmarks.md,
            // "The pushdown overhead, found"). Remote read is snappy-compressed either way. A proxy that compresses
            // unasked is still understood (ReplicaBackend.OpenJsonAsync).
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 64,
        };
        return new HttpClient(handler) { Timeout = config.BackendTimeout };
    }

    private static void Map(WebApplication app, GatewayApi api, Func<GatewayServer> server, ILogger logger)
    {
        void Api(string pattern, string endpoint, Func<RequestContext, Task> handler)
        {
            app.MapMethods(pattern, ["GET", "POST"], (HttpContext context) => api.HandleAsync(context, endpoint, handler));
        }

        app.Use(async (context, next) =>
        {
            await next(context).ConfigureAwait(false);
            Log.Request(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode);
        });
        Api("/api/v1/query", "query", api.QueryAsync);
        Api("/api/v1/query_range", "query_range", api.QueryRangeAsync);
        Api("/api/v1/series", "series", api.SeriesAsync);
        Api("/api/v1/labels", "labels", api.LabelNamesAsync);
        app.MapGet("/api/v1/label/{name}/values", (HttpContext context, string name) =>
            api.HandleAsync(context, "label_values", request => api.LabelValuesAsync(request, name)));
        Api("/api/v1/metadata", "metadata", api.MetadataAsync);
        app.MapPost("/api/v1/read", (HttpContext context) => api.HandleAsync(context, "read", api.RemoteReadAsync, PartialResponse.Fail));
        Api("/federate", "federate", api.FederateAsync);
        app.MapGet("/api/v1/status/buildinfo", async (HttpContext context) =>
        {
            var semantics = await server().Current.SemanticsAsync(context.RequestAborted).ConfigureAwait(false);
            return Results.Json(new BuildInfoResponse("success", BuildInfo.For(semantics.LeftEdge)), GatewayJsonContext.Default.BuildInfoResponse);
        });
        app.MapGet("/-/healthy", () => "Healthy\n");
        app.MapGet("/-/ready", () => "Ready\n");
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = ExpositionWriter.TextContentType;
            await server().Current.Metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
        app.MapFallback((HttpContext context) =>
        {
            var path = context.Request.Path.Value ?? "";
            if (AllowedMethods(path) is { } allowed)
            {
                context.Response.Headers.Allow = allowed;
                return ApiError.WriteAsync(context, ErrorType.MethodNotAllowed, $"{context.Request.Method} is not allowed on {path}; use {allowed}");
            }
            return ApiError.WriteAsync(context, ErrorType.NotFound,
                $"no endpoint {context.Request.Method} {path}; the gateway serves /api/v1/query, /api/v1/query_range, /api/v1/series, " +
                "/api/v1/labels, /api/v1/label/<name>/values, /api/v1/metadata, /api/v1/status/buildinfo, /api/v1/read, /federate, " +
                "/-/healthy, /-/ready and /metrics");
        });
    }

    /// <summary>The methods an endpoint the gateway serves takes, for a request that used another; null for no such endpoint.</summary>
    private static string? AllowedMethods(string path) => path switch
    {
        "/api/v1/query" or "/api/v1/query_range" or "/api/v1/series" or "/api/v1/labels" or "/api/v1/metadata" or "/federate" => "GET, POST",
        "/api/v1/read" => "POST",
        "/api/v1/status/buildinfo" or "/-/healthy" or "/-/ready" or "/metrics" => "GET",
        _ when path.StartsWith("/api/v1/label/", StringComparison.Ordinal) && path.EndsWith("/values", StringComparison.Ordinal) => "GET",
        _ => null,
    };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "gateway listening at {BaseUri} over {Shards} shards, {Replicas} replicas")]
        public static partial void Started(ILogger logger, Uri baseUri, int shards, int replicas);

        [LoggerMessage(Level = LogLevel.Information, Message = "configuration {File} reloaded ({Reason}): {Shards} shards")]
        public static partial void Reloaded(ILogger logger, string file, string reason, int shards);

        [LoggerMessage(Level = LogLevel.Error, Message = "configuration {File} refused, the previous one keeps serving: {Problem}")]
        public static partial void ReloadRefused(ILogger logger, string file, string problem);

        [LoggerMessage(Level = LogLevel.Information, Message = "the gateway {Description}")]
        public static partial void Semantics(ILogger logger, string description);

        [LoggerMessage(Level = LogLevel.Warning, Message = "pushdown is configured but off: the gateway {Description}")]
        public static partial void PushdownOff(ILogger logger, string description);

        [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} {Status}")]
        public static partial void Request(ILogger logger, string method, PathString path, int status);
    }
}

/// <summary>The gateway could not start.</summary>
public sealed class GatewayException : Exception
{
    public GatewayException()
    {
    }

    public GatewayException(string message) : base(message)
    {
    }

    public GatewayException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
