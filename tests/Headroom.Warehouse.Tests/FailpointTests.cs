namespace Headroom.Warehouse.Tests;

/// <summary><see cref="Failpoint"/>'s variable: what it accepts, and a clear refusal of anything else.</summary>
public sealed class FailpointTests
{
    [Fact]
    public void An_unset_or_empty_variable_names_no_point()
    {
        Assert.Empty(Failpoint.Parse(null));
        Assert.Empty(Failpoint.Parse("  "));
    }

    [Fact]
    public void Sleeps_and_kills_are_read_with_their_numbers()
    {
        var points = Failpoint.Parse(" warehouse.commit.daily=sleep(150) , lake.manifest-published=kill(2)");
        Assert.Equal(2, points.Count);
        Assert.False(points["warehouse.commit.daily"].Kill);
        Assert.Equal(150, points["warehouse.commit.daily"].N);
        Assert.True(points["lake.manifest-published"].Kill);
        Assert.Equal(2, points["lake.manifest-published"].N);
    }

    [Fact]
    public void Every_commit_step_has_a_point()
    {
        Assert.Equal(Enum.GetValues<CommitStep>().Length, Failpoint.Known.Count(n => n.StartsWith(Failpoint.CommitPrefix, StringComparison.Ordinal)));
        Assert.Equal("warehouse.commit.watermark", Failpoint.CommitPoint(CommitStep.Watermark));
    }

    [Theory]
    [InlineData("warehouse.commit.dialy=sleep(1)", "unknown point 'warehouse.commit.dialy'; known: ")]
    [InlineData("lake.watermark=crash(1)", "is not NAME=sleep(MILLISECONDS) or NAME=kill(HIT)")]
    [InlineData("lake.watermark", "is not NAME=sleep(MILLISECONDS) or NAME=kill(HIT)")]
    [InlineData("lake.watermark=kill(0)", "needs a whole number of at least 1")]
    [InlineData("lake.watermark=sleep(99999999999)", "needs a whole number of at least 1")]
    [InlineData("lake.watermark=kill(1),lake.watermark=sleep(5)", "the point 'lake.watermark' is named twice")]
    public void Bad_values_are_refused_with_what_is_wrong(string value, string message)
    {
        var e = Assert.Throws<FormatException>(() => Failpoint.Parse(value));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(Failpoint.Variable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_point_the_variable_does_not_name_passes_at_once()
    {
        // The test process has no HEADROOM_FAILPOINTS: every point is a no-op.
        Assert.Null(Environment.GetEnvironmentVariable(Failpoint.Variable));
        var pass = Failpoint.HitAsync(Failpoint.LakeWatermark);
        Assert.True(pass.IsCompletedSuccessfully);
        await pass;
    }
}
