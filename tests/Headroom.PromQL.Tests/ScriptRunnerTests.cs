using Headroom.PromQL.Testing;
using Xunit.Abstractions;

namespace Headroom.PromQL.Tests;

public sealed class ScriptRunnerTests(ITestOutputHelper output)
{
    public static TheoryData<string> OwnScripts()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "testdata"), "*.test").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OwnScripts))]
    public void OwnScriptPasses(string name)
    {
        var result = ScriptRunner.RunFile(Path.Combine(AppContext.BaseDirectory, "testdata", name));
        foreach (var outcome in result.Failures)
        {
            output.WriteLine(outcome.ToString());
        }
        Assert.Empty(result.Errors);
        Assert.True(result.Outcomes.Count > 0);
        Assert.Equal(result.Outcomes.Count, result.Passed);
    }

    [Fact]
    public async Task WrongExpectationFailsWithDiff()
    {
        const string Script = """
            load 1m
              metric{a="1"} 1 2 3

            eval instant at 2m metric
              metric{a="1"} 4

            eval instant at 2m metric
              metric{a="2"} 3

            eval instant at 2m metric
              expect fail

            eval range from 0 to 2m step 1m metric
              metric{a="1"} 1 _ 3
            """;
        var result = await ScriptRunner.RunAsync(Script, "inline.test");
        Assert.Equal(4, result.Failed);
        Assert.Contains("expected 4, got 3", result.Outcomes[0].Diff, StringComparison.Ordinal);
        Assert.Contains("missing series", result.Outcomes[1].Diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HistogramDataIsSkippedNotPassed()
    {
        const string Script = """
            load 1m
              hist {{schema:0 sum:1 count:1}}x2
              plain 1 2 3

            eval instant at 1m hist
              hist {{schema:0 sum:1 count:1}}

            eval instant at 1m plain
              plain 2
            """;
        var result = await ScriptRunner.RunAsync(Script, "inline.test");
        Assert.Equal(1, result.Skipped);
        Assert.Equal(1, result.Passed);
    }

    [Fact]
    public async Task ExpandsValueShorthands()
    {
        const string Script = """
            load 1m
              a 1+1x2 _x2 stale 10-2x1 3x1 Inf -Inf NaN

            eval range from 0 to 10m step 1m a
              a 1 2 3 3 3 _ 10 8 3 3 Inf

            eval instant at 11m a
              a -Inf

            eval instant at 12m a
              a NaN
            """;
        var result = await ScriptRunner.RunAsync(Script, "inline.test");
        Assert.True(result.Failed == 0, string.Join("\n", result.Failures));
        Assert.Equal(3, result.Passed);
    }
}
