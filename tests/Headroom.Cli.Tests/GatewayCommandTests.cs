namespace Headroom.Cli.Tests;

public sealed class GatewayCommandTests
{
    [Theory]
    [InlineData(new[] { "gateway" }, 2, "give one of --config FILE, --topology FILE or one --shard")]
    [InlineData(new[] { "gateway", "--config", "g.yml", "--shard", "http://127.0.0.1:9090" }, 2, "give one of --config FILE, --topology FILE or one --shard")]
    [InlineData(new[] { "gateway", "--shard", "ftp://127.0.0.1:9090" }, 2, "'ftp://127.0.0.1:9090' is not an http(s) URL")]
    [InlineData(new[] { "gateway", "--shard", "http://127.0.0.1:9090", "--listen", "nowhere" }, 2, "--listen: 'nowhere' is not host:port")]
    [InlineData(new[] { "gateway", "--shard", "http://127.0.0.1:9090", "--partial-response", "maybe" }, 2, "maybe")]
    [InlineData(new[] { "gateway", "--shard", "http://127.0.0.1:9090", "--log-format", "xml" }, 2, "xml")]
    [InlineData(new[] { "gateway", "--config", "/nonexistent/gateway.yml" }, 2, "cannot read /nonexistent/gateway.yml")]
    [InlineData(new[] { "gateway", "--topology", "/nonexistent/topology.yml" }, 2, "/nonexistent/topology.yml")]
    public async Task Bad_command_lines_say_what_to_change(string[] args, int exitCode, string message)
    {
        var result = await Cli.RunAsync(args);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_configuration_file_names_its_line_and_key()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "shards:\n  - replicas: [http://127.0.0.1:9090]\nreplica_label: [replica]\n");
            var result = await Cli.RunAsync("gateway", "--config", file);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"{file}: line 3: unknown key 'replica_label'", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_example_configuration_in_deploy_reads()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Headroom.slnx")))
            root = Path.GetDirectoryName(root)!;
        var config = Gateway.Configuration.GatewayConfigReader.ReadFile(Path.Combine(root, "deploy", "gateway", "gateway.yml"));

        Assert.Equal(2, config.Shards.Count);
        Assert.All(config.Shards, s => Assert.Equal(2, s.Replicas.Count));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Sighup_reads_the_configuration_again_even_under_nohup()
    {
        var directory = Directory.CreateTempSubdirectory("headroom-gateway-");
        try
        {
            var file = Path.Combine(directory.FullName, "gateway.yml");
            await File.WriteAllTextAsync(file, "shards:\n  - name: a\n    replicas: [http://127.0.0.1:1]\n");
            var port = Servers.FreePort.Next();
            // Under nohup, SIGHUP starts out ignored; the gateway must set it back or the reload asked for is lost.
            await using var gateway = ServerProcess.StartUnderNohup("gateway", "--config", file, "--listen", $"127.0.0.1:{port}", "--log-level", "info");
            using var http = new HttpClient();
            await gateway.WaitForAsync(http, new Uri($"http://127.0.0.1:{port}/-/healthy"));

            gateway.Hangup();

            await gateway.WaitUntilAsync(() => Task.FromResult(gateway.Error.Any(l => l.Contains("reloaded (SIGHUP): 1 shards", StringComparison.Ordinal))),
                "the SIGHUP reload in the log");
            Assert.Equal("Healthy\n", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/-/healthy")));
            Assert.Equal(0, await gateway.StopAsync());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
