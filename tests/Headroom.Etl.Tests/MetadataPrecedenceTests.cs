using Answer = Headroom.Etl.MetadataReader.SourceAnswer;
using Labels = System.Collections.Generic.Dictionary<string, string>;

namespace Headroom.Etl.Tests;

/// <summary>
/// The node profile's metadata sources, each alone and combined: headroom_host_info overrides, then target labels,
/// node_dmi_info on EC2, node_uname_info's nodename, aws_ec2_info joined by instance id.
/// </summary>
public sealed class MetadataPrecedenceTests
{
    private const string Instance = "10.0.0.7:9100";
    private static readonly Profile Node = ProfileLoader.Load("node");

    private static InfoSource Source(string name) => Node.MetadataByPrecedence.Single(s => s.DisplayName == name);

    private static Labels Series(params (string Name, string Value)[] labels)
    {
        var result = new Labels(StringComparer.Ordinal) { ["instance"] = Instance, ["job"] = "node" };
        foreach (var (name, value) in labels)
            result[name] = value;
        return result;
    }

    private static readonly Labels HostInfo = Series(("account", "999999999999"), ("region", "eu-west-1"), ("instance_type", "m5.large"), ("name", "override"));

    private static readonly Labels TargetLabels = Series(
        ("instance_type", "t3.medium"), ("instance_id", "i-0abc"), ("account", "123456789012"), ("availability_zone", "us-east-1b"), ("name", "api-1"),
        ("nodename", "ip-10-0-0-7"), ("sysname", "Linux"));

    private static readonly Labels Dmi = Series(("system_vendor", "Amazon EC2"), ("product_name", "c5.xlarge"));

    private static readonly Labels Uname = Series(("nodename", "ip-10-0-0-7"), ("sysname", "Linux"));

    // headroom cloudwatch's info series: no instance label; the ARN names the instance.
    private static readonly Labels Ec2Info = new(StringComparer.Ordinal)
    {
        ["name"] = "arn:aws:ec2:ap-south-1:555555555555:instance/i-0abc", ["region"] = "ap-south-1", ["account_id"] = "555555555555",
        ["instance_type"] = "r5.large", ["tag_Name"] = "from-cloudwatch",
    };

    /// <summary>Each named source answers with its series; the others answer with none.</summary>
    private static MetadataReader.Metadata? Resolve(params (string Source, Labels Series)[] present)
    {
        var answers = Node.MetadataByPrecedence
            .Select(s => new Answer(s, [.. present.Where(p => p.Source == s.DisplayName).Select(p => (IReadOnlyDictionary<string, string>)p.Series)]))
            .ToList();
        return MetadataReader.Resolve(Node, answers).Values.SingleOrDefault();
    }

    [Fact]
    public void The_node_profile_lists_its_sources_in_the_stated_order()
    {
        Assert.Equal(
            ["headroom_host_info", "target labels", "node_dmi_info", "node_uname_info nodename", "aws_ec2_info"],
            Node.MetadataByPrecedence.Select(s => s.DisplayName));
        Assert.Equal("last_over_time(node_dmi_info{system_vendor=\"Amazon EC2\"}[1h])", MetadataReader.Query(Source("node_dmi_info"), "1h"));
    }

    [Fact]
    public void Headroom_host_info_alone_gives_every_field()
    {
        var m = Resolve(("headroom_host_info", HostInfo))!;
        Assert.Equal(("999999999999", "eu-west-1", "m5.large", "override"), (m.Account, m.Region, m.InstanceType, m.Name));
        Assert.Equal("headroom_host_info", m.Extra["source.instance_type"]);
    }

    [Fact]
    public void Target_labels_alone_give_type_account_name_and_the_region_of_the_zone()
    {
        var m = Resolve(("target labels", TargetLabels))!;
        Assert.Equal(("123456789012", "us-east-1", "t3.medium", "api-1"), (m.Account, m.Region, m.InstanceType, m.Name));
        Assert.Equal("i-0abc", m.Extra["instance_id"]);
        Assert.Equal("us-east-1b", m.Extra["availability_zone"]);
        Assert.Equal("target labels", m.Extra["source.account"]);
        Assert.Equal("availability_zone (target labels)", m.Extra["source.region"]);
    }

    [Fact]
    public void Dmi_alone_gives_the_ec2_instance_type_and_nothing_else()
    {
        var m = Resolve(("node_dmi_info", Dmi))!;
        Assert.Equal("c5.xlarge", m.InstanceType);
        Assert.Null(m.Account);
        Assert.Null(m.Name);
        Assert.Equal("node_dmi_info", m.Extra["source.instance_type"]);
    }

    [Fact]
    public void Uname_alone_names_the_host_by_its_nodename_and_leaves_the_type_unknown()
    {
        var m = Resolve(("node_uname_info nodename", Uname))!;
        Assert.Equal("ip-10-0-0-7", m.Name);
        Assert.Null(m.InstanceType);
        Assert.False(m.Extra.ContainsKey("source.instance_type"));
    }

    [Fact]
    public void Aws_ec2_info_alone_cannot_be_joined_without_an_instance_id()
    {
        Assert.Null(Resolve(("aws_ec2_info", Ec2Info)));
        var m = Resolve(("aws_ec2_info", Ec2Info), ("node_dmi_info", Dmi))!;
        Assert.Null(m.Account);
    }

    [Fact]
    public void Aws_ec2_info_joined_by_instance_id_fills_what_the_others_lack()
    {
        var onlyId = Series(("instance_id", "i-0abc"));
        var m = Resolve(("target labels", onlyId), ("node_uname_info nodename", Uname), ("aws_ec2_info", Ec2Info))!;
        Assert.Equal(("555555555555", "ap-south-1", "r5.large"), (m.Account, m.Region, m.InstanceType));
        // The nodename comes before aws_ec2_info's Name tag.
        Assert.Equal("ip-10-0-0-7", m.Name);
        Assert.Equal("aws_ec2_info", m.Extra["source.instance_type"]);
        Assert.Equal("node_uname_info nodename", m.Extra["source.name"]);
    }

    [Fact]
    public void Conflicting_sources_follow_the_stated_order()
    {
        var all = Resolve(("headroom_host_info", HostInfo), ("target labels", TargetLabels), ("node_dmi_info", Dmi),
            ("node_uname_info nodename", Uname), ("aws_ec2_info", Ec2Info))!;
        Assert.Equal(("999999999999", "eu-west-1", "m5.large", "override"), (all.Account, all.Region, all.InstanceType, all.Name));

        var withoutOverride = Resolve(("target labels", TargetLabels), ("node_dmi_info", Dmi), ("node_uname_info nodename", Uname), ("aws_ec2_info", Ec2Info))!;
        Assert.Equal(("123456789012", "us-east-1", "t3.medium", "api-1"), (withoutOverride.Account, withoutOverride.Region, withoutOverride.InstanceType, withoutOverride.Name));

        var dmiOverEc2Info = Resolve(("target labels", Series(("instance_id", "i-0abc"))), ("node_dmi_info", Dmi), ("aws_ec2_info", Ec2Info))!;
        Assert.Equal("c5.xlarge", dmiOverEc2Info.InstanceType);
        Assert.Equal("555555555555", dmiOverEc2Info.Account);
    }

    [Fact]
    public void A_partial_override_overrides_only_what_it_names()
    {
        var m = Resolve(("headroom_host_info", Series(("instance_type", "m5.2xlarge"))), ("target labels", TargetLabels))!;
        Assert.Equal("m5.2xlarge", m.InstanceType);
        Assert.Equal("api-1", m.Name);
        Assert.Equal("headroom_host_info", m.Extra["source.instance_type"]);
        Assert.Equal("target labels", m.Extra["source.name"]);
    }

    [Fact]
    public void A_monthly_cost_label_is_kept_when_it_is_a_number()
    {
        var m = Resolve(("target labels", Series(("monthly_cost", "412.50"))))!;
        Assert.Equal("412.50", m.Extra["monthly_cost"]);
        Assert.Equal("target labels", m.Extra["source.monthly_cost"]);
        var bad = Resolve(("target labels", Series(("monthly_cost", "a lot"))))!;
        Assert.False(bad.Extra.ContainsKey("monthly_cost"));
    }

    [Fact]
    public void Nothing_known_leaves_the_type_unknown_and_the_hint_names_what_to_add()
    {
        Assert.Null(Resolve());
        Assert.Contains("headroom_host_info", MetadataFields.MissingTypeHint, StringComparison.Ordinal);
        Assert.Contains("dmi", MetadataFields.MissingTypeHint, StringComparison.Ordinal);
        Assert.Contains("deploy/prometheus/", MetadataFields.MissingTypeHint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("us-east-1a", "us-east-1")]
    [InlineData("ap-southeast-2c", "ap-southeast-2")]
    [InlineData("us-gov-west-1a", "us-gov-west-1")]
    [InlineData("europe-west1-b", "europe-west1")]
    [InlineData("1", null)]
    public void Regions_follow_from_zones(string zone, string? region) => Assert.Equal(region, MetadataReader.RegionOf(zone));

    [Theory]
    [InlineData("metadata: [{metric: x, metadata: {colour: c}}]", "metadata[0].metadata: unknown field 'colour'")]
    [InlineData("metadata: [{metric: x, match: 'a=='}]", "metadata[0].match:")]
    [InlineData("metadata: [{metric: x, join: {field: instance_id}}]", "metadata[0].join needs")]
    [InlineData("metadata: [{metric: x, join: {field: colour, label: name}}]", "metadata[0].join.field: unknown field 'colour'")]
    [InlineData("metadata: [{metadata: {name: n}}]", "metadata[0].metric must be a metric name")]
    public void Bad_metadata_sources_are_named_with_the_fix(string yaml, string message)
    {
        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse($"name: x\nidentity: [instance]\n{yaml}\ndimensions: [{{name: cpu, unit: ratio, expr: up}}]\n", "p.yaml"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
