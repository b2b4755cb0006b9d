using System.Net;
using System.Net.Sockets;
using Headroom.Servers;
using Headroom.Testing;

namespace Headroom.IntegrationTests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Dispose_stops_the_process_and_removes_the_temp_directory()
    {
        var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions());
        var pid = prometheus.ProcessId;
        var directory = Path.GetDirectoryName(prometheus.ConfigPath)!;
        Assert.True(TestSupport.ProcessExists(pid));
        Assert.True(Directory.Exists(directory));

        await prometheus.DisposeAsync();
        await prometheus.DisposeAsync();

        Assert.False(TestSupport.ProcessExists(pid), $"process {pid} still exists after dispose");
        Assert.False(Directory.Exists(directory), $"{directory} still exists after dispose");
    }

    [Fact]
    public void Missing_binary_names_the_debian_package()
    {
        var missing = Assert.Throws<MissingBinaryException>(() => BinaryLocator.Find("headroom-no-such-server", "headroom-bogus-package"));

        Assert.Equal("headroom-no-such-server", missing.Binary);
        Assert.Equal("headroom-bogus-package", missing.DebianPackage);
        Assert.Equal(
            "headroom-no-such-server not found on PATH: install the Debian package 'headroom-bogus-package' (apt-get install headroom-bogus-package)",
            missing.Message);
    }

    [Fact]
    public void Postgres_binaries_come_from_the_highest_installed_version()
    {
        var initdb = PostgresServer.FindBinary("initdb");

        Assert.Matches("^/usr/lib/postgresql/[0-9.]+/bin/initdb$", initdb);
    }

    [Fact]
    public async Task A_server_that_never_gets_ready_fails_with_its_logs_and_is_stopped()
    {
        var shell = BinaryLocator.Find("sh", "dash");
        var plan = new LaunchPlan(
            "never-ready",
            _ => new ProcessSpec("never-ready", shell, ["-c", "echo first line; echo 'still warming up' >&2; exec sleep 600"]),
            // Never ready, but only after the shell has written both lines: on a loaded machine the shell may not even
            // have started within the 1 s start timeout, and the logs the failure carries would be empty.
            async (process, _, cancellationToken) =>
            {
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (!(process.Logs.Contains("first line") && process.Logs.Contains("still warming up")) && waited.Elapsed < TimeSpan.FromMinutes(1))
                    await Task.Delay(20, cancellationToken);
                return false;
            },
            TimeSpan.FromSeconds(1));

        var failure = await Assert.ThrowsAsync<ServerStartException>(() => ServerLauncher.StartAsync(plan, CancellationToken.None));

        Assert.Contains("not ready after 1 s", failure.Message, StringComparison.Ordinal);
        Assert.Contains("first line", failure.Message, StringComparison.Ordinal);
        Assert.Contains("still warming up", failure.RecentLogs, StringComparison.Ordinal);
        Assert.Equal(0, ProcessRegistry.RunningCountOf("never-ready"));
    }

    [Fact]
    public async Task Cancelling_a_start_stops_the_process()
    {
        var shell = BinaryLocator.Find("sh", "dash");
        var plan = new LaunchPlan(
            "cancelled-start",
            _ => new ProcessSpec("cancelled-start", shell, ["-c", "exec sleep 600"]),
            (_, _, _) => Task.FromResult(false),
            TimeSpan.FromMinutes(1));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ServerLauncher.StartAsync(plan, cancellation.Token));

        Assert.Equal(0, ProcessRegistry.RunningCountOf("cancelled-start"));
    }

    [Fact]
    public async Task A_server_that_exits_fails_with_its_own_error_message()
    {
        var failure = await Assert.ThrowsAsync<ServerStartException>(() =>
            PrometheusServer.StartAsync(new PrometheusOptions { ExtraArguments = ["--headroom-no-such-flag"] }));

        Assert.Contains("exited with code", failure.Message, StringComparison.Ordinal);
        Assert.Contains("headroom-no-such-flag", failure.RecentLogs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_port_is_retried_with_a_new_one()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var takenPort = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var ports = new Queue<int>([takenPort]);

        await using var pushgateway = await PushgatewayServer.StartAsync(() => ports.Count > 0 ? ports.Dequeue() : FreePort.Next(), CancellationToken.None);

        Assert.NotEqual(takenPort, pushgateway.BaseUri.Port);
        using var ready = await TestSupport.Http.GetAsync(new Uri(pushgateway.BaseUri, "-/ready"));
        Assert.True(ready.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Invalid_prometheus_options_are_rejected_before_starting()
    {
        var missing = await Assert.ThrowsAsync<ArgumentException>(() =>
            PrometheusServer.StartAsync(new PrometheusOptions { RuleFiles = ["/nonexistent/headroom.rules.yml"] }));

        Assert.Contains("/nonexistent/headroom.rules.yml", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Free_ports_are_distinct_and_bindable()
    {
        var ports = Enumerable.Range(0, 20).Select(_ => FreePort.Next()).ToArray();

        Assert.Equal(ports.Length, ports.Distinct().Count());
        using var listener = new TcpListener(IPAddress.Loopback, ports[0]);
        listener.Start();
    }
}
