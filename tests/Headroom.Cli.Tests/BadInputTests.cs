using System.Net;
using System.Net.Sockets;

namespace Headroom.Cli.Tests;

public class BadInputTests
{
    [Theory]
    [InlineData("--no-such-flag", "--no-such-flag")]
    [InlineData("fleet truth --bogus", "--bogus")]
    [InlineData("fleet truth --hosts abc", "abc")]
    [InlineData("fleet truth --hosts 0", "--hosts must be between 1 and 100000")]
    [InlineData("fleet truth --format yaml", "yaml")]
    [InlineData("fleet history --hosts 2", "--out")]
    [InlineData("fleet history --hosts 2 --step 5x --out x.om", "'5x' is not a duration")]
    [InlineData("fleet history --hosts 2 --step 10ms --out x.om", "--step must be at least 1s")]
    [InlineData("fleet history --hosts 2 --days -1 --out x.om", "--days must be more than 0")]
    [InlineData("fleet history --hosts 2 --end yesterday --out x.om", "'yesterday' is not a time")]
    [InlineData("fleet history --hosts 2 --end 1e300 --out x.om", "--end: '1e300' is not a time from 1970-01-01 to 9999-12-31; use RFC 3339 (2026-11-01T00:00:00Z), Unix seconds")]
    [InlineData("query up --source http://127.0.0.1:9 --time Infinity", "--time: 'Infinity' is not a time from 1970-01-01 to 9999-12-31")]
    [InlineData("query up --source http://127.0.0.1:9 --time NaN", "--time: 'NaN' is not a time from 1970-01-01 to 9999-12-31")]
    [InlineData("query up --source http://127.0.0.1:9 --start -1e300 --end now --step 1m", "--start: '-1e300' is not a time")]
    [InlineData("query up --source http://127.0.0.1:9 --time 0001-01-01T00:00:00Z", "--time: '0001-01-01T00:00:00Z' is not a time")]
    [InlineData("etl run --source http://127.0.0.1:9 --from -1000000d", "--from: '-1000000d' is not a time from 1970-01-01 to 9999-12-31")]
    [InlineData("fleet history --hosts 2 --days 365 --end 2025-06-01T00:00:00Z --out x.om", "fleet starts on 2025-01-01")]
    [InlineData("fleet serve --listen nowhere", "is not host:port")]
    [InlineData("fleet serve --listen example.com:80", "is not an IP address")]
    [InlineData("fleet serve --listen 127.0.0.1:70000", "is not host:port")]
    [InlineData("fleet serve --log-level verbose", "verbose")]
    [InlineData("fleet serve --log-format xml", "xml")]
    [InlineData("serve --log-level trace", "trace")]
    [InlineData("serve --interval 100d", "--interval must be at most 24d, got 100d")]
    [InlineData("query up --source http://127.0.0.1:9 --timeout 100d", "--timeout must be at most 24d, got 100d")]
    [InlineData("shard plan --source http://127.0.0.1:9 --timeout 30d", "--timeout must be at most 24d, got 30d")]
    [InlineData("serve --log-format logfmt", "logfmt")]
    [InlineData("cloudwatch serve --config c.yml --log-level warning", "warning")]
    [InlineData("cloudwatch serve --config c.yml --log-format yaml", "yaml")]
    [InlineData("etl run --source cloudwatch --cloudwatch-config c.yml --window 90m", "--window: '90m' is not a whole number of hours between 1h and 31d")]
    [InlineData("etl backfill --source cloudwatch --cloudwatch-config c.yml --from -2d --to -1d --window 45d", "--window: '45d' is not a whole number of hours between 1h and 31d")]
    [InlineData("etl status --cpu-tolerance -0.1", "--cpu-tolerance must be between 0 and 1")]
    [InlineData("report rightsizing --cpu-tolerance 10", "--cpu-tolerance must be between 0 and 1 (a ratio of CPU, e.g. 0.10 for 10 points), got 10")]
    [InlineData("demo --days 0", "--days must be between 1 and 30")]
    [InlineData("demo --wait --no-wait", "contradict")]
    [InlineData("demo --autoscale", "--autoscale grows a sharded fleet and needs --shards")]
    [InlineData("demo --shards 2 --autoscale --aws", "--autoscale reshards Prometheus, not CloudWatch")]
    [InlineData("demo --shards 2 --autoscale --hosts 3", "give --hosts from 4 to 200, got 3")]
    public async Task Bad_arguments_exit_with_usage_code_and_name_the_problem(string args, string expected)
    {
        var result = await Cli.RunAsync(args.Split(' '));
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists("x.om"));
    }

    [Fact]
    public async Task An_unwritable_output_path_fails_with_a_clear_message()
    {
        var result = await Cli.RunAsync("fleet", "history", "--hosts", "1", "--days", "0.01", "--out", "/proc/headroom/nope.om");
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("headroom: error:", result.Error, StringComparison.Ordinal);
        Assert.Contains("/proc/headroom", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_history_run_keeps_the_previous_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-keep-{Guid.NewGuid():N}.om");
        await File.WriteAllTextAsync(path, "previous");
        try
        {
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await HeadroomCli.RunAsync(["fleet", "history", "--hosts", "50", "--days", "1", "--out", path], output, error, cancelled.Token);
            Assert.Equal(ExitCodes.Interrupted, code);
            Assert.Equal("previous", await File.ReadAllTextAsync(path));
            Assert.False(File.Exists(path + ".partial"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_occupied_port_fails_with_a_clear_message()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sd = Path.Combine(Path.GetTempPath(), $"headroom-sd-{Guid.NewGuid():N}.json");
        var result = await Cli.RunAsync("fleet", "serve", "--hosts", "2", "--listen", $"127.0.0.1:{port}", "--sd-file", sd);
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}: address already in use; stop what listens there or choose another address with --listen", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(sd));
    }

    [Fact]
    public async Task The_gateway_on_an_occupied_port_says_so_as_the_other_servers_do()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var result = await Cli.RunAsync("gateway", "--shard", "http://127.0.0.1:1", "--listen", $"127.0.0.1:{port}");
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}: address already in use", result.Error, StringComparison.Ordinal);
    }
}
