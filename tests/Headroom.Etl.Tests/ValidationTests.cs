namespace Headroom.Etl.Tests;

public class ValidationTests
{
    private static readonly Profile Node = ProfileLoader.Load("node");
    private static readonly Dimension Cpu = Node.Dimensions.Single(d => d.Name == "cpu");
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Hour = Now.AddHours(-3);

    private static HourlyRow Row(string instance = "host-1", double avg = 0.2, double min = 0.1, double max = 0.4, double p95 = 0.35,
        long samples = 60, DateTimeOffset? hour = null, string? job = null)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (instance.Length > 0)
            labels["instance"] = instance;
        if (job is not null)
            labels["job"] = job;
        return new HourlyRow(labels, "cpu", hour ?? Hour, avg, min, max, p95, samples, 60);
    }

    private static string? ReasonOf(HourlyRow row, Dimension? dimension = null)
    {
        var (valid, rejected) = Validator.Validate(Node, dimension ?? Cpu, [row], Now);
        Assert.Equal(1, valid.Count + rejected.Count);
        return rejected.SingleOrDefault()?.Reason;
    }

    [Fact]
    public void A_good_row_passes_unchanged() =>
        Assert.Null(ReasonOf(Row()));

    [Fact]
    public void Each_problem_has_its_reason()
    {
        Assert.Equal(RejectReason.MissingIdentity, ReasonOf(Row(instance: "")));
        Assert.Equal(RejectReason.NotANumber, ReasonOf(Row(avg: double.NaN)));
        Assert.Equal(RejectReason.NotANumber, ReasonOf(Row(max: double.PositiveInfinity)));
        Assert.Equal(RejectReason.OutOfRange, ReasonOf(Row(max: 1.2)));
        Assert.Equal(RejectReason.OutOfRange, ReasonOf(Row(min: -0.1)));
        Assert.Equal(RejectReason.FutureTimestamp, ReasonOf(Row(hour: Now.AddMinutes(30))));
        Assert.Equal(RejectReason.LowCompleteness, ReasonOf(Row(samples: 20)));
        Assert.Null(ReasonOf(Row(samples: 30)));
    }

    [Fact]
    public void Two_series_for_one_resource_are_both_rejected_as_duplicates()
    {
        var (valid, rejected) = Validator.Validate(Node, Cpu, [Row(job: "a"), Row(job: "b"), Row(instance: "host-2")], Now);
        Assert.Single(valid);
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, r => Assert.Equal(RejectReason.DuplicateResource, r.Reason));
        Assert.All(rejected, r => Assert.Contains("\"job\":", r.Payload, StringComparison.Ordinal));
    }

    [Fact]
    public void Percent_is_normalised_to_a_ratio_and_float_noise_is_clamped()
    {
        var percent = new Dimension("cpu", Unit.Percent, "x", null);
        var (valid, _) = Validator.Validate(Node, percent, [Row(avg: 25, min: 0, max: 100.00000001, p95: 90)], Now);
        Assert.Equal(0.25, valid.Single().Avg, 1e-12);
        Assert.Equal(1.0, valid.Single().Max);
        var (noisy, _) = Validator.Validate(Node, Cpu, [Row(min: -1e-12)], Now);
        Assert.Equal(0.0, noisy.Single().Min);
    }

    [Fact]
    public void Resource_keys_escape_hostile_values_and_keep_them_distinct()
    {
        var quote = Validator.ResourceKey(Node, new Dictionary<string, string> { ["instance"] = "a\",instance=\"b" });
        var plain = Validator.ResourceKey(Node, new Dictionary<string, string> { ["instance"] = "a" });
        Assert.Equal("instance=\"a\\\",instance=\\\"b\"", quote);
        Assert.NotEqual(plain, quote);
        Assert.Null(Validator.ResourceKey(Node, new Dictionary<string, string> { ["job"] = "x" }));
    }
}
