using Headroom.Ruler.Rules;

namespace Headroom.Ruler.Tests;

public sealed class RuleLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-ruler-rules-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string yaml)
    {
        var path = Path.Combine(_directory, "rules.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Loads_recording_and_alerting_rules_with_group_settings()
    {
        var groups = RuleLoader.Load([Write("""
            groups:
              - name: g
                interval: 30s
                limit: 10
                query_offset: 1m
                rules:
                  - record: job:up:sum
                    expr: sum by (job) (up)
                    labels: {team: infra}
                  - alert: Down
                    expr: up == 0
                    for: 5m
                    keep_firing_for: 2m
                    annotations: {summary: '{{ $labels.job }} down'}
              - name: h
                rules:
                  - record: x:y
                    expr: vector(1)
            """)], TimeSpan.FromMinutes(1));
        Assert.Equal(2, groups.Count);
        var g = groups[0];
        Assert.Equal((TimeSpan.FromSeconds(30), 10, TimeSpan.FromMinutes(1)), (g.Interval, g.Limit, g.QueryOffset));
        Assert.Equal("infra", Assert.IsType<LoadedRecordingRule>(g.Rules[0]).Labels.Get("team"));
        var alert = Assert.IsType<LoadedAlertingRule>(g.Rules[1]);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2)), (alert.For, alert.KeepFiringFor));
        Assert.Equal(TimeSpan.FromMinutes(1), groups[1].Interval);
    }

    [Fact]
    public void Every_problem_is_reported_with_its_file_line_and_rule()
    {
        var path = Write("""
            groups:
              - name: g
                rules:
                  - alert: HighLoad
                    expr: load > 1
                    annotations:
                      summary: '{{ $value | humanise }}'
                  - record: bad name
                    expr: up
                  - record: ok:rule
                    expr: sum(
                  - alert: Late
                    expr: up == 0
                    for: 5 minutes
            """);
        var e = Assert.Throws<RuleLoadException>(() => RuleLoader.Load([path], TimeSpan.FromMinutes(1)));
        Assert.Contains($"{path}:4: group 'g', rule 'HighLoad': annotation 'summary': function \"humanise\" not defined", e.Message, StringComparison.Ordinal);
        Assert.Contains("'bad name' is not a valid metric name", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{path}:11: group 'g', rule 'ok:rule'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'for': '5 minutes' is not a duration", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<RuleLoadException>(() => RuleLoader.Load([Path.Combine(_directory, "nope.yml")], TimeSpan.FromMinutes(1)));
        Assert.Contains("nope.yml: cannot read the rule file", e.Message, StringComparison.Ordinal);
    }
}
