using System.Text.RegularExpressions;
using Headroom.Servers;

namespace Headroom.Cli.Tests;

public sealed class RulerCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-ruler-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Rules(string yaml)
    {
        var path = Path.Combine(_directory, "rules.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private const string Good = "groups:\n  - name: g\n    interval: 1s\n    rules:\n      - record: x:y\n        expr: vector(1)\n";

    [Theory]
    [InlineData(new[] { "--source", "http://127.0.0.1:9095", "--remote-write", "http://127.0.0.1:9090/api/v1/write" }, "--rules")]
    [InlineData(new[] { "--source", "ftp://gateway", "--remote-write", "http://127.0.0.1:9090/api/v1/write" }, "--source 'ftp://gateway' is not an http(s) URL")]
    [InlineData(new[] { "--source", "http://127.0.0.1:9095", "--remote-write", "shard:9090" }, "--remote-write 'shard:9090' is not an http(s) URL")]
    [InlineData(new[] { "--source", "http://127.0.0.1:9095", "--remote-write", "http://a/api/v1/write", "--alertmanager", "am:9093" }, "--alertmanager 'am:9093' is not an http(s) URL")]
    [InlineData(new[] { "--source", "http://127.0.0.1:9095", "--remote-write", "http://a/api/v1/write", "--external-label", "1x=y" }, "--external-label '1x=y' is not name=value")]
    [InlineData(new[] { "--source", "http://127.0.0.1:9095", "--remote-write", "http://a/api/v1/write", "--remote-write-capacity", "0" }, "--remote-write-capacity must be at least 1")]
    [InlineData(new[] { "--source", "http://127.0.0.1:9095", "--remote-write", "http://a/api/v1/write", "--resend-delay", "soon" }, "'soon' is not a duration")]
    public async Task Bad_command_lines_say_what_to_change(string[] args, string message)
    {
        var withRules = args.Contains("--rules") || message == "--rules" ? args : ["--rules", Rules(Good), .. args];
        var result = await Cli.RunAsync(["ruler", .. withRules]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rule_file_problems_are_listed_with_file_and_line()
    {
        var file = Rules("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          summary: '{{ $value | humanise }}'\n");
        var missing = Path.Combine(_directory, "missing.yml");
        var result = await Cli.RunAsync("ruler", "--rules", file, missing, "--source", "http://127.0.0.1:9095", "--remote-write", "http://127.0.0.1:9090/api/v1/write");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}:4: group 'g', rule 'A': annotation 'summary': function \"humanise\" not defined", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{missing}: cannot read the rule file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serves_health_readiness_and_metrics_until_stopped()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var output = new StringWriter();
        using var error = new StringWriter();
        // Nothing listens on the source or the receiver: the rule still runs (and fails, counted), the server still answers.
        var run = HeadroomCli.RunAsync(["ruler", "--rules", Rules(Good.Replace("vector(1)", "sum(up)", StringComparison.Ordinal)), "--source", "http://127.0.0.1:1", "--remote-write", "http://127.0.0.1:1/api/v1/write",
            "--listen", "127.0.0.1:0", "--flush-timeout", "0s", "--log-level", "error"], output, error, stop.Token);
        Uri? metrics = null;
        for (var i = 0; i < 100 && metrics is null; i++)
        {
            await Task.Delay(100);
            var match = Regex.Match(output.ToString(), @"metrics at (\S+?);");
            if (match.Success)
                metrics = new Uri(match.Groups[1].Value);
        }
        Assert.NotNull(metrics);
        using var http = new HttpClient();
        Assert.Equal("Ready\n", await http.GetStringAsync(new Uri(metrics, "/-/ready")));
        Assert.Equal("Healthy\n", await http.GetStringAsync(new Uri(metrics, "/-/healthy")));
        string text = "";
        for (var i = 0; i < 50 && !text.Contains("headroom_ruler_rule_evaluation_failures_total{rule_group=", StringComparison.Ordinal); i++)
        {
            text = await http.GetStringAsync(metrics);
            if (!Regex.IsMatch(text, @"headroom_ruler_rule_evaluation_failures_total\{rule_group=""[^""]+""\} [1-9]"))
                text = "";
            await Task.Delay(200);
        }
        Assert.Contains("headroom_ruler_group_interval_seconds{rule_group=", text, StringComparison.Ordinal);
        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }
    [Fact]
    public async Task Sighup_and_post_reload_read_the_rule_files_again_and_a_bad_file_is_refused()
    {
        var rules = Rules(Good);
        var port = FreePort.Next();
        // Under nohup, so SIGHUP starts out ignored (a CI runner or supervisor may do the same): the reload must still work.
        await using var ruler = ServerProcess.StartUnderNohup("ruler", "--rules", rules, "--source", "http://127.0.0.1:1",
            "--remote-write", "http://127.0.0.1:1/api/v1/write", "--listen", $"127.0.0.1:{port}", "--flush-timeout", "0s", "--log-level", "info");
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient();
        await ruler.WaitForAsync(http, new Uri(baseUri, "-/ready"));

        // SIGHUP: a second group appears, the first is kept.
        File.WriteAllText(rules, Good + "  - name: h\n    interval: 2s\n    rules:\n      - record: x:z\n        expr: vector(2)\n");
        ruler.Hangup();
        await ruler.WaitUntilAsync(async () => (await http.GetStringAsync(new Uri(baseUri, "metrics"))).Contains($"rule_group=\"{rules};h\"", StringComparison.Ordinal),
            "group h in the metrics after SIGHUP");
        var metrics = await http.GetStringAsync(new Uri(baseUri, "metrics"));
        Assert.Contains("headroom_ruler_config_reloads_total{result=\"success\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains($"rule_group=\"{rules};g\"", metrics, StringComparison.Ordinal);

        // A bad file: 500 with the problem, the old groups run on; the process is still up and ready.
        File.WriteAllText(rules, Good.Replace("vector(1)", "vector(", StringComparison.Ordinal));
        using var refused = await http.PostAsync(new Uri(baseUri, "-/reload"), null);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains($"{rules}:", body, StringComparison.Ordinal);
        Assert.Contains("the rules loaded before keep running", body, StringComparison.Ordinal);
        metrics = await http.GetStringAsync(new Uri(baseUri, "metrics"));
        Assert.Contains("headroom_ruler_config_last_reload_successful 0", metrics, StringComparison.Ordinal);
        Assert.Contains($"rule_group=\"{rules};h\"", metrics, StringComparison.Ordinal);
        Assert.Equal("Ready\n", await http.GetStringAsync(new Uri(baseUri, "-/ready")));

        // Fixed, POST /-/reload loads it: one group again.
        File.WriteAllText(rules, Good);
        using var reloaded = await http.PostAsync(new Uri(baseUri, "-/reload"), null);
        Assert.Equal("Reloaded: 1 groups (1 rules)\n", await reloaded.Content.ReadAsStringAsync());
        Assert.DoesNotContain($"rule_group=\"{rules};h\"", await http.GetStringAsync(new Uri(baseUri, "metrics")), StringComparison.Ordinal);
        Assert.Equal(0, await ruler.StopAsync());
        Assert.Contains(ruler.Error, l => l.Contains("rules reloaded (SIGHUP): 2 groups", StringComparison.Ordinal));
        Assert.Contains(ruler.Error, l => l.Contains("rules not reloaded (POST /-/reload)", StringComparison.Ordinal));
    }
}
