using Headroom.Sharding;

namespace Headroom.Sharding.Tests;

public sealed class MeasurementTests
{
    [Fact]
    public void Memory_is_fitted_as_a_fixed_part_plus_bytes_per_series()
    {
        ShardUsage[] shards =
        [
            new("a", 10_000, 100e6 + (10_000 * 5000.0), 0.1),
            new("b", 40_000, 100e6 + (40_000 * 5000.0), 0.2),
            new("c", 20_000, 100e6 + (20_000 * 5000.0), 0.1),
        ];
        var model = MemoryModel.Of(shards);
        Assert.Equal("fit", model.Source);
        Assert.Equal(5000, model.BytesPerSeries, 1e-6);
        Assert.Equal(100e6, model.FixedBytes, 1e-3);
        Assert.Equal((long)((8.0 * (1L << 30) - 100e6) / 5000), model.SeriesWithin(8.0 * (1L << 30)));
    }

    [Fact]
    public void Shards_of_one_size_give_a_ratio_and_none_an_assumption()
    {
        var ratio = MemoryModel.Of([new("a", 10_000, 80e6, 0.1), new("b", 10_500, 84e6, 0.1)]);
        Assert.Equal("ratio", ratio.Source);
        Assert.Equal(164e6 / 20_500, ratio.BytesPerSeries, 1e-9);
        var assumed = MemoryModel.Of([new("a", 10_000, double.NaN, double.NaN)]);
        Assert.Equal("assumed", assumed.Source);
        Assert.Equal(MemoryModel.AssumedBytesPerSeries, assumed.BytesPerSeries);
    }

    [Fact]
    public void A_budget_under_the_fixed_part_is_an_error()
    {
        var model = new MemoryModel(200e6, 4000, "fit");
        var e = Assert.Throws<ShardingException>(() => model.SeriesWithin(100e6));
        Assert.Contains("--budget-memory", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8GiB", 8.0 * 1024 * 1024 * 1024)]
    [InlineData("512 MiB", 512.0 * 1024 * 1024)]
    [InlineData("2GB", 2e9)]
    [InlineData("1048576", 1048576)]
    [InlineData("1.5kib", 1536)]
    public void Sizes_parse(string text, double bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var parsed, out _));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("eight gigs")]
    [InlineData("-1GiB")]
    [InlineData("0")]
    public void Non_sizes_are_refused_with_an_example(string text)
    {
        Assert.False(ByteSize.TryParse(text, out _, out var error));
        Assert.Contains("8GiB", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_not_scraped_yet_get_the_median_of_the_measured()
    {
        var measured = new FleetMeasurement(new Dictionary<string, long> { ["a"] = 10, ["b"] = 30, ["c"] = 20 }, []);
        var (targets, estimated) = measured.SeriesOf([new("a", "x:1", new Dictionary<string, string>()), new("new", "y:1", new Dictionary<string, string>())]);
        Assert.Equal(1, estimated);
        Assert.Equal([new ShardTarget("a", 10), new ShardTarget("new", 20)], targets);
    }
}
