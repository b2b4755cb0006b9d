namespace Headroom.Cli.Tests;

public sealed class PromqlCommandTests : IDisposable
{
    private const string Passing = """
        load 1m
          http_requests_total{job="api"} 0+10x10

        eval instant at 5m rate(http_requests_total[5m])
          {job="api"} 0.16666666666666666

        eval instant at 5m sum(http_requests_total)
          {} 50
        """;

    private const string Failing = """
        load 1m
          up{job="api"} 1 1 0

        eval instant at 2m up
          up{job="api"} 1

        eval instant at 2m count(up)
          {} 1
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-promql-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Passing_scripts_report_counts_per_file_and_in_total_and_exit_zero()
    {
        var file = Write("ok.test", Passing);
        var result = await Cli.RunAsync("promql", "test", file);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Matches(@"ok\.test\s+passed\s+2\s+failed\s+0\s+skipped\s+0", result.Output);
        Assert.Matches(@"total \(1 files\)\s+passed\s+2\s+failed\s+0\s+skipped\s+0", result.Output);
    }

    [Fact]
    public async Task A_failing_eval_prints_a_diff_and_exits_with_the_failure_code()
    {
        Write("suite/ok.test", Passing);
        Write("suite/nested/bad.test", Failing);
        var result = await Cli.RunAsync("promql", "test", Path.Combine(_directory, "suite"));
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Matches(@"bad\.test\s+passed\s+1\s+failed\s+1\s+skipped\s+0", result.Output);
        Assert.Contains("FAIL bad.test:4: up", result.Output, StringComparison.Ordinal);
        Assert.Contains("expected 1, got 0", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"total \(2 files\)\s+passed\s+3\s+failed\s+1\s+skipped\s+0", result.Output);
    }

    [Fact]
    public async Task Quiet_prints_only_failing_files_and_the_total()
    {
        Write("q/ok.test", Passing);
        Write("q/bad.test", Failing);
        var result = await Cli.RunAsync("promql", "test", "--quiet", Path.Combine(_directory, "q"));
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.DoesNotContain("ok.test", result.Output, StringComparison.Ordinal);
        Assert.Contains("bad.test", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Project_scripts_all_pass()
    {
        var result = await Cli.RunAsync("promql", "test", Testing.RepositoryPaths.Combine("tests", "Headroom.PromQL.Tests", "testdata"));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Matches(@"total \(\d+ files\)\s+passed\s+[1-9]\d*\s+failed\s+0", result.Output);
    }

    [Fact]
    public async Task A_hostile_regex_is_answered_quickly_not_with_a_stack_trace()
    {
        // (a+)+b over 28 a's and a '!' is 2^27 paths per series for a backtracking engine; RE2 reads it in linear time.
        var script = new System.Text.StringBuilder("load 1m\n");
        for (var i = 0; i < 20; i++)
            script.Append($"  m{{i=\"{i}\", v=\"{new string('a', 28)}!\"}} 1\n");
        script.Append("  m{i=\"b\", v=\"aab\"} 1\n\neval instant at 0 count(m{v=~\"(a+)+b\"})\n  {} 1\n");
        var file = Write("hostile.test", script.ToString());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await Cli.RunAsync("promql", "test", file);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Matches(@"hostile\.test\s+passed\s+1\s+failed\s+0", result.Output);
        // Loose: the machine is shared. A backtracking engine needs minutes.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_regex_RE2_refuses_fails_its_eval_with_gos_message()
    {
        var file = Write("refused.test", """
            load 1m
              m{v="ab"} 1

            eval instant at 0 m{v=~"a(?=b)"}
              m{v="ab"} 1

            eval instant at 0 label_replace(m, "w", "$1", "v", "(a)\\1")
              m{v="ab"} 1

            eval instant at 0 m
              m{v="ab"} 1
            """);
        var result = await Cli.RunAsync("promql", "test", file);
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Matches(@"refused\.test\s+passed\s+1\s+failed\s+2", result.Output);
        Assert.Contains("unexpected error: 1:3: parse error: error parsing regexp: invalid or unsupported Perl syntax: `(?=`", result.Output, StringComparison.Ordinal);
        Assert.Contains("invalid regular expression in label_replace(): (a)\\1 (error parsing regexp: invalid escape sequence: `\\1`)", result.Output, StringComparison.Ordinal);
        Assert.Equal("", result.Error);
    }

    [Theory]
    [InlineData("promql test /nonexistent/x.test", "no such file or directory")]
    [InlineData("promql test", "paths")]
    [InlineData("promql test x.test --lookback-delta 5x", "'5x' is not a duration")]
    public async Task Bad_arguments_exit_with_the_usage_code(string args, string expected)
    {
        var result = await Cli.RunAsync(args.Split(' '));
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_without_scripts_is_a_usage_error()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_directory, "empty")).FullName;
        var result = await Cli.RunAsync("promql", "test", empty);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("no .test files", result.Error, StringComparison.Ordinal);
    }
}
