using Headroom.Servers;
using Headroom.Testing;
using YamlDotNet.RepresentationModel;

namespace Headroom.Etl.Tests;

/// <summary>The shipped node_exporter scrape configurations are valid and carry the labels the node profile reads.</summary>
public sealed class ScrapeSnippetTests
{
    private static string[] Files =>
        [.. Directory.GetFiles(RepositoryPaths.Combine("deploy", "prometheus", "node-exporter"), "*.yml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Snippets => new(Files);

    private static string PathOf(string file) => RepositoryPaths.Combine("deploy", "prometheus", "node-exporter", file);

    [Fact]
    public void Every_service_discovery_has_a_snippet() =>
        Assert.Equal(["azure-sd.yml", "ec2-sd.yml", "file-sd.yml", "gce-sd.yml"], Files);

    [Theory]
    [MemberData(nameof(Snippets))]
    public async Task Promtool_accepts_the_snippet(string file)
    {
        var result = await Promtool.CheckConfigAsync(PathOf(file));
        Assert.True(result.Succeeded, result.StandardOutput + result.StandardError);
    }

    [Theory]
    [InlineData("ec2-sd.yml", "__meta_ec2_")]
    [InlineData("azure-sd.yml", "__meta_azure_")]
    [InlineData("gce-sd.yml", "__meta_gce_")]
    public void The_relabeling_writes_the_labels_the_node_profile_reads_from_target_labels(string file, string prefix)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(PathOf(file))));
        var job = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["scrape_configs"])[0];
        var relabel = ((YamlSequenceNode)job["relabel_configs"]).Cast<YamlMappingNode>().ToList();
        var written = relabel.Where(r => r.Children.ContainsKey("target_label")).ToDictionary(
            r => r["target_label"].ToString(), r => string.Join(",", (YamlSequenceNode)r["source_labels"]), StringComparer.Ordinal);

        var targetLabels = ProfileLoader.Load("node").MetadataSources.Single(s => s.DisplayName == "target labels").Metadata;
        // Every label written is one the profile reads; type, account and name always, and a region or a zone.
        Assert.All(written.Keys, label => Assert.Contains(label, targetLabels.Values));
        Assert.All(written.Values, source => Assert.StartsWith(prefix, source, StringComparison.Ordinal));
        Assert.Contains("instance_type", written.Keys);
        Assert.Contains("account", written.Keys);
        Assert.Contains("name", written.Keys);
        Assert.True(written.ContainsKey("region") || written.ContainsKey("availability_zone"), string.Join(", ", written.Keys));
    }
}
