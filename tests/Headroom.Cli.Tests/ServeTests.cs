using Headroom.Testing;

namespace Headroom.Cli.Tests;

[Collection(PlainFleetCollection.Name)]
public sealed class ServeTests(FleetPrometheus source) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-serve-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Serve_runs_the_etl_and_exposes_health_and_metrics_until_stopped()
    {
        var port = Servers.FreePort.Next();
        using var stop = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var run = HeadroomCli.RunAsync(
            ["serve", "--source", source.Server.BaseUri.AbsoluteUri, "--db", "sqlite:" + Path.Combine(_directory, "w.db"), "--listen", $"127.0.0.1:{port}",
             "--interval", "1h", "--from", FleetPrometheus.End.AddHours(-3).ToString("O"), "--to", FleetPrometheus.End.ToString("O")],
            output, error, stop.Token);
        try
        {
            using var http = new HttpClient();
            var ready = false;
            for (var i = 0; i < 300 && !ready; i++)
            {
                try
                {
                    ready = (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/-/ready"))).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                }
                if (!ready)
                    await Task.Delay(100);
            }
            Assert.True(ready, output.ToString() + error);
            Assert.Equal("Healthy\n", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/-/healthy")));
            var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
            Assert.Contains("headroom_etl_runs_total{profile=\"node\",status=\"succeeded\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("headroom_etl_rows_loaded_total{profile=\"node\"} 90", metrics, StringComparison.Ordinal); // 6 hosts × 3 hours × 5
            Assert.Contains("headroom_etl_last_run_success{profile=\"node\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("headroom_etl_query_duration_seconds_count", metrics, StringComparison.Ordinal);

            // The insights page at /: the 3 hours loaded are too few for a verdict on any of the 6 hosts.
            using var page = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
            Assert.True(page.IsSuccessStatusCode, page.StatusCode.ToString());
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            var html = await page.Content.ReadAsStringAsync();
            Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
            Assert.Contains("6 resources", html, StringComparison.Ordinal);
            Assert.Contains("No resource is idle or under-used in the window.", html, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run);
        }
        Assert.Contains("90 rows loaded", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_logs_each_run_and_one_debug_line_per_request_as_json_on_stderr()
    {
        var port = Servers.FreePort.Next();
        await using var server = ServerProcess.Start(new Dictionary<string, string>(),
            "serve", "--source", source.Server.BaseUri.AbsoluteUri, "--db", "sqlite:" + Path.Combine(_directory, "log.db"), "--listen", $"127.0.0.1:{port}",
            "--interval", "1h", "--from", FleetPrometheus.End.AddHours(-3).ToString("O"), "--to", FleetPrometheus.End.ToString("O"),
            "--log-format", "json", "--log-level", "debug");
        using var http = new HttpClient();
        await server.WaitForAsync(http, new Uri($"http://127.0.0.1:{port}/-/ready"));
        await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        await server.WaitUntilAsync(() => Task.FromResult(server.RequestLines("/metrics").Count > 0), "log line for the request");
        Assert.Equal(0, await server.StopAsync());

        var request = Assert.Single(server.RequestLines("/metrics"));
        Assert.Equal("Debug", request.GetProperty("LogLevel").GetString());
        Assert.Equal("headroom.serve", request.GetProperty("Category").GetString());
        Assert.Equal(200, request.GetProperty("State").GetProperty("Status").GetInt32());
        var run = Assert.Single(server.JsonLogs, l => l.GetProperty("State").TryGetProperty("RowsLoaded", out _));
        Assert.Equal("Information", run.GetProperty("LogLevel").GetString());
        Assert.Equal("90", run.GetProperty("State").GetProperty("RowsLoaded").ToString()); // 6 hosts × 3 hours × 5
        Assert.Contains(server.Output, l => l.Contains("90 rows loaded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_at_warn_logs_a_failed_run_without_the_source_password_and_no_line_per_request()
    {
        var port = Servers.FreePort.Next();
        var nothingListens = Servers.FreePort.Next();
        await using var server = ServerProcess.Start(new Dictionary<string, string>(),
            "serve", "--source", $"http://etl:s3cret-pw@127.0.0.1:{nothingListens}", "--db", "sqlite:" + Path.Combine(_directory, "warn.db"),
            "--listen", $"127.0.0.1:{port}", "--interval", "1h", "--log-level", "warn");
        using var http = new HttpClient();
        await server.WaitUntilAsync(() => Task.FromResult(server.Error.Any(l => l.Contains("run failed", StringComparison.Ordinal))), "failed run logged");
        await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/-/healthy"));
        Assert.Equal(0, await server.StopAsync());

        var failed = Assert.Single(server.Error);
        Assert.Contains(" fail: headroom.serve", failed, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{nothingListens}", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", string.Join('\n', server.Error.Concat(server.Output)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pushgateway_receives_a_one_shot_runs_metrics()
    {
        await using var pushgateway = await Servers.PushgatewayServer.StartAsync();
        var result = await Cli.RunAsync("etl", "backfill", "--source", source.Server.BaseUri.AbsoluteUri, "--db", "sqlite:" + Path.Combine(_directory, "p.db"),
            "--from", FleetPrometheus.End.AddHours(-2).ToString("O"), "--to", FleetPrometheus.End.ToString("O"), "--pushgateway", pushgateway.BaseUri.AbsoluteUri);
        Assert.True(result.ExitCode == 0, result.Error);
        using var http = new HttpClient();
        var pushed = await http.GetStringAsync(new Uri(pushgateway.BaseUri, "metrics"));
        Assert.Contains("headroom_etl_rows_loaded_total{instance=\"\",job=\"headroom_etl\",profile=\"node\"} 60", pushed, StringComparison.Ordinal);
    }
}
