using Headroom.Fleet;
using Headroom.Prometheus.Client;

namespace Headroom.Cli.Tests;

public class FleetCommandTests
{
    [Fact]
    public async Task Truth_as_json_lists_every_host_with_its_profile()
    {
        var result = await Cli.RunAsync("fleet", "truth", "--hosts", "18", "--seed", "3", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        var truth = FleetTruth.FromJson(result.Output);
        Assert.Equal(18, truth.Hosts.Count);
        Assert.Equal(FleetTruth.Of(SimulatedFleet.Create(18, 3)), truth with { Hosts = truth.Hosts }, new TruthComparer());
        Assert.Contains(truth.Hosts, h => h.CpuProfile == "idle");
    }

    [Fact]
    public async Task Truth_as_csv_has_a_header_and_a_row_per_host()
    {
        var result = await Cli.RunAsync("fleet", "truth", "--hosts", "7", "--format", "csv");
        var lines = result.Output.Trim().Split('\n');
        Assert.StartsWith("id,name,account,region,instance_type", lines[0], StringComparison.Ordinal);
        Assert.Equal(8, lines.Length);
    }

    [Fact]
    public async Task History_writes_the_file_and_reports_what_it_wrote()
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-h-{Guid.NewGuid():N}.om");
        try
        {
            var result = await Cli.RunAsync("fleet", "history", "--hosts", "3", "--days", "0.1", "--step", "60s", "--end", "2026-11-01T00:00:00Z", "--out", path);
            Assert.Equal(0, result.ExitCode);
            Assert.Matches(@"wrote \d+ series, [\d,]+ samples", result.Error);
            var text = await File.ReadAllTextAsync(path);
            Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
            Assert.Contains(" 1793491200\n", text, StringComparison.Ordinal); // the --end instant itself
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Serve_writes_file_sd_and_serves_each_host_until_cancelled()
    {
        var sd = Path.Combine(Path.GetTempPath(), $"headroom-sd-{Guid.NewGuid():N}.json");
        using var stop = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var port = Servers.FreePort.Next();
        var run = HeadroomCli.RunAsync(["fleet", "serve", "--hosts", "3", "--listen", $"127.0.0.1:{port}", "--sd-file", sd], output, error, stop.Token);
        try
        {
            using var http = new HttpClient();
            string? body = null;
            for (var i = 0; i < 100 && body is null; i++)
            {
                try
                {
                    body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/hosts/host-0002/metrics"));
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }
            Assert.NotNull(body);
            Assert.Contains("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}", body, StringComparison.Ordinal);
            var groups = FileSdTargetGroup.Parse(await File.ReadAllTextAsync(sd));
            Assert.Equal(3, groups.Count);
            Assert.Equal("/hosts/host-0003/metrics", groups[2].Labels["__metrics_path__"]);
            Assert.Equal($"127.0.0.1:{port}", groups[0].Targets[0]);
            var missing = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/hosts/host-9999/metrics"));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run);
            File.Delete(sd);
        }
    }

    [Fact]
    public async Task Serve_logs_json_to_stderr_with_one_debug_line_per_request()
    {
        var sd = Path.Combine(Path.GetTempPath(), $"headroom-sd-{Guid.NewGuid():N}.json");
        var port = Servers.FreePort.Next();
        await using var server = ServerProcess.Start(new Dictionary<string, string>(),
            "fleet", "serve", "--hosts", "3", "--listen", $"127.0.0.1:{port}", "--sd-file", sd, "--log-format", "json", "--log-level", "debug");
        try
        {
            using var http = new HttpClient();
            await server.WaitForAsync(http, new Uri($"http://127.0.0.1:{port}/-/healthy"));
            await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/hosts/host-0002/metrics"));
            await server.WaitUntilAsync(() => Task.FromResult(server.RequestLines("/hosts/host-0002/metrics").Count > 0), "log line for the request");
            Assert.Equal(0, await server.StopAsync());
        }
        finally
        {
            File.Delete(sd);
        }

        var request = Assert.Single(server.RequestLines("/hosts/host-0002/metrics"));
        Assert.Equal("Debug", request.GetProperty("LogLevel").GetString());
        Assert.Equal("headroom.fleet", request.GetProperty("Category").GetString());
        Assert.Equal("GET", request.GetProperty("State").GetProperty("Method").GetString());
        Assert.Equal(200, request.GetProperty("State").GetProperty("Status").GetInt32());
        Assert.Contains(server.JsonLogs, l => l.GetProperty("LogLevel").GetString() == "Information"
            && l.GetProperty("Message").GetString()!.StartsWith("fleet of 3 hosts (seed 1) listening at", StringComparison.Ordinal));
        Assert.Contains(server.Output, l => l.StartsWith("serving 3 hosts (seed 1)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_at_warn_writes_no_line_per_request()
    {
        var sd = Path.Combine(Path.GetTempPath(), $"headroom-sd-{Guid.NewGuid():N}.json");
        var port = Servers.FreePort.Next();
        await using var server = ServerProcess.Start(new Dictionary<string, string>(),
            "fleet", "serve", "--hosts", "3", "--listen", $"127.0.0.1:{port}", "--sd-file", sd, "--log-level", "warn");
        try
        {
            using var http = new HttpClient();
            await server.WaitForAsync(http, new Uri($"http://127.0.0.1:{port}/-/healthy"));
            await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/hosts/host-0002/metrics"));
            Assert.Equal(0, await server.StopAsync()); // the stop flushes whatever was logged
        }
        finally
        {
            File.Delete(sd);
        }

        Assert.Empty(server.Error);
        Assert.Contains(server.Output, l => l.StartsWith("serving 3 hosts (seed 1)", StringComparison.Ordinal));
    }

    private sealed class TruthComparer : IEqualityComparer<FleetTruth>
    {
        public bool Equals(FleetTruth? x, FleetTruth? y) => x!.Seed == y!.Seed && x.Hosts.SequenceEqual(y.Hosts);

        public int GetHashCode(FleetTruth obj) => obj.Seed.GetHashCode();
    }
}
