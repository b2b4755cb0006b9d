using Headroom.Prometheus.Relabeling;
using Headroom.Servers;

namespace Headroom.IntegrationTests;

/// <summary>The history split behind <see cref="PrometheusTopology"/>, without servers.</summary>
public sealed class HistorySplitterTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    // Expected shards computed with Python's hashlib: int.from_bytes(md5(v).digest()[8:], "big") % modulus.
    [InlineData("a", 2, 1)]
    [InlineData("c", 3, 0)]
    [InlineData("", 2, 0)]
    [InlineData("api;a", 7, 3)]
    [InlineData("web;", 7, 6)]
    [InlineData("127.0.0.1:9090", 3, 2)]
    [InlineData("host-0001", 7, 4)]
    public void Hashmod_matches_md5_of_the_joined_values(string joined, int modulus, int shard)
    {
        Assert.Equal(shard, Hashmod.Of(joined, modulus));
        Assert.Equal(shard, Hashmod.Of(joined.Split(';'), modulus));
    }

    [Fact]
    public void Reads_the_chosen_labels_unescaped_and_where_the_series_ends()
    {
        string?[] values = new string?[3];
        const string line = "m{a=\"x\\\"},y\",job=\"b\\\\1\\n\", instance = \"h\" } 1.5 1700000000.000";

        var end = OpenMetricsLine.ParseSeries(line, ["instance", "job", "__name__"], values);

        Assert.Equal("h", values[0]);
        Assert.Equal("b\\1\n", values[1]);
        Assert.Equal("m", values[2]);
        Assert.Equal(' ', line[end]);
        Assert.Equal(" 1.5 1700000000.000", line[end..]);
        Assert.Equal(5, OpenMetricsLine.ParseSeries("plain 3 17", ["instance"], values));
        Assert.All(values, Assert.Null);
        Assert.Throws<FormatException>(() => OpenMetricsLine.ParseSeries("m{a=\"open 1 2", ["a"], values));
        Assert.Throws<FormatException>(() => OpenMetricsLine.ParseSeries("m{a=b} 1 2", ["a"], values));
    }

    [Fact]
    public void Splits_series_by_hashmod_copies_metadata_everywhere_and_drops_samples_reproducibly()
    {
        var input = _scratch.Combine("in.om");
        string[] lines =
        [
            "# TYPE x gauge",
            "x{instance=\"a\"} 1 10",
            "x{instance=\"a\"} 2 20",
            "x{instance=\"\"} 3 10",
            "x 4 10",
            "x{instance=\"a\"} 5 30",
            "# TYPE y counter",
            .. Enumerable.Range(0, 1000).Select(i => $"y_total{{instance=\"a\",job=\"j\"}} {i} {i + 1}"),
            "# EOF",
            "ignored after EOF 1 2",
        ];
        File.WriteAllText(input, string.Join('\n', lines) + "\n");
        SplitOutput[] outputs =
        [
            new(0, _scratch.Combine("0.om")),
            new(1, _scratch.Combine("1.om")),
            new(1, _scratch.Combine("1-lossy.om"), 0.25, 3),
            new(1, _scratch.Combine("1-lossy-again.om"), 0.25, 3),
        ];

        var counts = HistorySplitter.Split(input, ["instance"], 2, outputs, CancellationToken.None);

        // "a" hashes to shard 1; "" and a missing instance both to shard 0, as in Prometheus' relabeling.
        Assert.Equal(new SplitCounts(2, 2), counts[0]);
        Assert.Equal(new SplitCounts(2, 1003), counts[1]);
        var zero = File.ReadAllLines(outputs[0].Path);
        Assert.Equal(["# TYPE x gauge", "x{instance=\"\"} 3 10", "x 4 10", "# TYPE y counter", "# EOF"], zero);
        var one = File.ReadAllLines(outputs[1].Path);
        Assert.Equal("# EOF", one[^1]);
        Assert.Contains("# TYPE x gauge", one);
        var lossy = File.ReadAllLines(outputs[2].Path);
        Assert.Equal(counts[2].Samples + 3, lossy.Length);
        Assert.InRange(counts[2].Samples, 700, 800);
        Assert.Equal(lossy, File.ReadAllLines(outputs[3].Path));
        Assert.Subset(one.ToHashSet(), lossy.ToHashSet());
    }
}
