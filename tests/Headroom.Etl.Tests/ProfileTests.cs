namespace Headroom.Etl.Tests;

public class ProfileTests
{
    [Theory]
    [InlineData("node", 5)]
    [InlineData("aws-ec2", 3)]
    public void Built_in_profiles_load(string name, int dimensions)
    {
        var profile = ProfileLoader.Load(name);
        Assert.Equal(name, profile.Name);
        Assert.Equal(dimensions, profile.Dimensions.Count);
        Assert.All(profile.Dimensions, d => Assert.NotNull(d.Record));
    }

    [Theory]
    [InlineData("name: x\nidentity: [instance]\ndimensions: []\n", "'dimensions' must list at least one")]
    [InlineData("name: x\nidentity: [instance]\nbogus: 1\ndimensions: []\n", "profile.yaml:3: unknown key 'bogus'")]
    [InlineData("name: X Y\nidentity: [instance]\n", "'name' is required")]
    [InlineData("name: x\nidentity: []\n", "'identity' must list at least one label")]
    [InlineData("name: x\nidentity: [instance]\nresolution: 7m\ndimensions: [{name: cpu, unit: ratio, expr: up}]\n", "resolution must divide one hour")]
    [InlineData("name: x\nidentity: [instance]\nresolution: soon\ndimensions: [{name: cpu, unit: ratio, expr: up}]\n", "'soon' is not a duration")]
    [InlineData("name: x\nidentity: [instance]\ndimensions: [{name: cpu, unit: furlongs, expr: up}]\n", "unit 'furlongs' is not one of")]
    [InlineData("name: x\nidentity: [instance]\ndimensions: [{name: cpu, unit: ratio}]\n", "'expr' is required")]
    [InlineData("name: x\nidentity: [instance]\ndimensions: [{name: cpu, unit: ratio, expr: up}, {name: cpu, unit: ratio, expr: up}]\n", "dimension 'cpu' appears twice")]
    [InlineData("name: x\nidentity: [instance]\ndimensions: [{name: cpu, unit: ratio, expr: up, record: cpu_rate}]\n", "must follow level:metric:operations")]
    [InlineData("name: x\nidentity: [instance]\ninfo: {metric: i, metadata: {owner: team}}\ndimensions: [{name: cpu, unit: ratio, expr: up}]\n", "unknown field 'owner'")]
    [InlineData("name: x\nidentity: [instance]\ninfo: {metric: i, extra: '('}\ndimensions: [{name: cpu, unit: ratio, expr: up}]\n", "info.extra is not a regular expression")]
    [InlineData("name: [unclosed\n", "profile.yaml:1:")]
    public void Bad_profiles_are_refused_with_the_place_and_the_fix(string yaml, string expected)
    {
        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse(yaml, "profile.yaml"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    /// <summary>A value of the wrong kind names the key, what it takes and what was given, never a .NET type.</summary>
    [Theory]
    [InlineData("name: p\nresolution: [5m]\n", "profile.yaml:2: resolution: expected a single value (text), got a list")]
    [InlineData("name: p\nidentity: instance\n", "profile.yaml:2: identity: expected a list, e.g. [a, b], got 'instance'")]
    [InlineData("name: p\nidentity: [instance]\ndimensions: cpu\n", "profile.yaml:3: dimensions: expected a list, e.g. [a, b], got 'cpu'")]
    [InlineData("name: p\ninfo: aws_ec2_info\n", "profile.yaml:2: info: expected keys indented under it (a mapping), got 'aws_ec2_info'")]
    [InlineData("name: p\ndimensions:\n  - name: cpu\n    expr: [up]\n", "profile.yaml:4: dimensions[0].expr: expected a single value (text), got a list")]
    public void A_value_of_the_wrong_kind_names_the_key_and_what_it_takes(string yaml, string expected)
    {
        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse(yaml, "profile.yaml"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Headroom.Etl", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_profile_name_lists_the_choices()
    {
        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Load("nodes"));
        Assert.Contains("use one of node, aws-ec2", e.Message, StringComparison.Ordinal);
    }
}
