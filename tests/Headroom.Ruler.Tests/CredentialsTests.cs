using System.Collections.Concurrent;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Ruler.Tests;

/// <summary>The source's <c>user:password@</c> goes to the source only: never into what Alertmanager receives.</summary>
public sealed class CredentialsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-ruler-credentials-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task An_alert_links_to_the_source_without_its_credentials()
    {
        var posted = new ConcurrentQueue<string>();
        await using var alertmanager = new LoopbackHttpServer(async (context, cancellationToken) =>
        {
            using var reader = new StreamReader(context.Request.InputStream);
            posted.Enqueue(await reader.ReadToEndAsync(cancellationToken));
            context.Response.StatusCode = 200;
        });
        var file = Path.Combine(_directory, "rules.yml");
        await File.WriteAllTextAsync(file, """
            groups:
              - name: hosts
                interval: 1m
                rules:
                  - alert: HostBusy
                    expr: cpu > 0.9
            """);
        var storage = new InMemoryStorage();
        storage.Append(Labels.Of("__name__", "cpu", "instance", "a"), T0.ToUnixTimeMilliseconds(), 0.97);
        await using var ruler = Ruler.Create(new RulerOptions
        {
            RuleFiles = [file],
            Source = new Uri("http://alice:s3cret-pw@127.0.0.1:1/"),
            RemoteWrite = new Uri("http://127.0.0.1:1/api/v1/write"),
            Alertmanagers = [alertmanager.BaseUri],
            FlushTimeout = TimeSpan.Zero,
        }, time: new FakeTimeProvider(T0), source: storage);

        var result = await ruler.EvaluateAsync(ruler.Groups[0], T0, default);

        Assert.Empty(result.Failures);
        var body = Assert.Single(posted);
        Assert.Contains("\"generatorURL\":\"http://127.0.0.1:1/graph?g0.expr=", body, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", body, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", body, StringComparison.Ordinal);
    }
}
