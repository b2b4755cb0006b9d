using System.Collections.Concurrent;
using System.Net;
using Headroom.Prometheus.Client;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.Servers;
using Headroom.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Ruler.Tests;

/// <summary>
/// The source's version decides whether a sample on a window's left edge counts. A source that is down when the ruler
/// starts is asked again at the next evaluations, and once it answers the ruler asks no more.
/// </summary>
public sealed class SourceVersionTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-ruler-version-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_source_down_at_start_is_asked_again_until_its_version_is_known_then_no_more()
    {
        // A real Prometheus 2 answers buildinfo; in front of it a proxy that is down (503) until the test brings it up.
        await using var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions { ScrapeSelf = false });
        var up = false;
        var buildinfo = 0;
        using var forward = new HttpClient();
        await using var proxy = new LoopbackHttpServer(async (context, cancellationToken) =>
        {
            if (context.Request.Url!.AbsolutePath.EndsWith("/status/buildinfo", StringComparison.Ordinal))
                Interlocked.Increment(ref buildinfo);
            if (!Volatile.Read(ref up))
            {
                context.Response.StatusCode = (int)HttpStatusCode.ServiceUnavailable;
                return;
            }
            var body = await forward.GetByteArrayAsync(new Uri(prometheus.BaseUri, context.Request.Url.PathAndQuery.TrimStart('/')), cancellationToken);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(body, cancellationToken);
        });

        // x every 30 s: count_over_time(x[1m]) at a minute is 3 when the left edge counts (Prometheus 2), 2 when not.
        var storage = new InMemoryStorage();
        for (var t = T0.AddMinutes(-5); t <= T0.AddMinutes(10); t = t.AddSeconds(30))
            storage.Append(Labels.Of("__name__", "x"), t.ToUnixTimeMilliseconds(), 1);
        var file = Path.Combine(_directory, "rules.yml");
        await File.WriteAllTextAsync(file, "groups:\n  - name: g\n    rules:\n      - record: x:count1m\n        expr: count_over_time(x[1m])\n");
        using var http = new HttpClient();
        var logs = new LogLines();
        await using var ruler = Ruler.Create(new RulerOptions
        {
            RuleFiles = [file],
            Source = proxy.BaseUri,
            RemoteWrite = new Uri("http://127.0.0.1:1/api/v1/write"),
            FlushTimeout = TimeSpan.Zero,
            SourceLeftEdge = new PrometheusClient(http, proxy.BaseUri).KnownLeftEdgeAsync,
        }, logging: logs, time: new FakeTimeProvider(T0), source: storage);
        var group = ruler.Groups.Single();

        async Task<double> CountAt(int minute) => Assert.Single((await ruler.EvaluateAsync(group, T0.AddMinutes(minute), default)).Samples).F;

        Assert.Equal(2, await CountAt(0));
        Assert.Equal(2, await CountAt(1));
        Assert.Equal(2, Volatile.Read(ref buildinfo));

        Volatile.Write(ref up, true);
        Assert.Equal(3, await CountAt(2));
        Assert.Equal(3, await CountAt(3));
        Assert.Equal(3, await CountAt(4));
        Assert.Equal(3, Volatile.Read(ref buildinfo));
        Assert.Single(logs.Lines, l => l.Contains("cannot read the version", StringComparison.Ordinal));
        Assert.Single(logs.Lines, l => l.Contains("read the version of", StringComparison.Ordinal) && l.Contains("left edge counts", StringComparison.Ordinal));
    }

    /// <summary>The ruler's log lines.</summary>
    private sealed class LogLines : ILoggerFactory, ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue(formatter(state, exception));
    }
}
