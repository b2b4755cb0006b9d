using Headroom.Etl.Rules;
using Headroom.Prometheus.Rules;
using Headroom.Servers;

namespace Headroom.Etl.Tests;

public class RuleCheckTests
{
    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "testdata", "rules", name);

    [Theory]
    [InlineData("node")]
    [InlineData("aws-ec2")]
    public async Task Generated_rules_pass_promtool_and_our_checker(string profile)
    {
        var yaml = RuleFileWriter.Write(RuleGenerator.Generate(ProfileLoader.Load(profile), TimeSpan.FromMinutes(1)), "generated");
        Assert.Empty(RuleChecker.Check(yaml, "generated.yml"));
        var path = Path.Combine(Path.GetTempPath(), $"headroom-rules-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(path, yaml);
        try
        {
            var result = await Promtool.CheckRulesAsync(path);
            Assert.True(result.Succeeded, result.StandardOutput + result.StandardError);
            Assert.Contains($"SUCCESS: {ProfileLoader.Load(profile).Dimensions.Count} rules found", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Generation_refuses_an_expression_that_aggregates_the_identity_away()
    {
        var profile = ProfileLoader.Load("node") with { Dimensions = [new Dimension("cpu", Unit.Ratio, "avg by (job) (up)", "job:up:avg")] };
        var e = Assert.Throws<ProfileException>(() => RuleGenerator.Generate(profile, TimeSpan.FromMinutes(1)));
        Assert.Contains("aggregates away instance", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad-syntax.yml", 5, "rule 'instance:cpu:rate5m': ")]
    [InlineData("bad-naming.yml", 4, "does not follow the level:metric:operations convention")]
    [InlineData("duplicate.yml", 8, "is already defined on line 4")]
    [InlineData("colliding-labels.yml", 4, "sets the label __name__")]
    [InlineData("colliding-labels.yml", 4, "'team-name', which is not a valid label name")]
    [InlineData("structure.yml", 3, "interval: 'soon' is not a duration")]
    [InlineData("structure.yml", 5, "exactly one of 'record' or 'alert'")]
    [InlineData("structure.yml", 8, "exactly one of 'record' or 'alert'")]
    [InlineData("structure.yml", 10, "unknown key 'exprr'")]
    [InlineData("not-yaml.yml", 3, "not valid YAML")]
    [InlineData("not-scalar.yml", 3, "'interval' must be a single value (e.g. interval: 1m), not a list")]
    [InlineData("not-scalar.yml", 7, "'expr' must be a single value (e.g. expr: sum by (job) (up)), not a mapping")]
    public async Task Broken_files_are_rejected_with_file_line_and_reason(string file, int line, string message)
    {
        var problems = RuleChecker.Check(await File.ReadAllTextAsync(Data(file)), file);
        Assert.Contains(problems, p => p.Line == line && p.Message.Contains(message, StringComparison.Ordinal) && p.ToString().StartsWith($"{file}:{line}: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Promtool_agrees_that_the_broken_files_are_broken()
    {
        // duplicate.yml and bad-naming.yml pass promtool: Prometheus allows them, Headroom's checker is stricter.
        foreach (var file in new[] { "bad-syntax.yml", "colliding-labels.yml", "structure.yml", "not-yaml.yml", "not-scalar.yml" })
        {
            var result = await Promtool.CheckRulesAsync(Data(file));
            Assert.False(result.Succeeded, file);
            Assert.NotEmpty(RuleChecker.Check(await File.ReadAllTextAsync(Data(file)), file));
        }
    }
}
