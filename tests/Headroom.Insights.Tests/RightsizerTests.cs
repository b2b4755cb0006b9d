using Headroom.Warehouse;

namespace Headroom.Insights.Tests;

public sealed class RightsizerTests
{
    private static readonly InsightsOptions Defaults = new();

    private static PeakUsageRow Peaks(string type, double cpu, double? memory, long hours = 336) =>
        new(new ReportResource("instance=\"h:9100\"", "h", null, null, type), hours, cpu, cpu, cpu / 2, memory is null ? 0 : hours, memory);

    [Fact]
    public void Never_recommends_a_type_smaller_than_the_need_plus_margin()
    {
        var random = new Random(42);
        var checkedCount = 0;
        foreach (var current in PriceCatalog.BuiltIn.Offers)
        {
            for (var i = 0; i < 60; i++)
            {
                var cpu = random.NextDouble();
                double? memory = i % 5 == 0 ? null : random.NextDouble();
                var margin = random.Next(0, 60) / 100.0;
                var options = Defaults with { Margin = margin, AnyFamily = i % 2 == 0 };
                var result = Rightsizer.Recommend(Peaks(current.Name, cpu, memory), current, PriceCatalog.BuiltIn, options);
                if (result.Recommended is not { } recommended)
                {
                    Assert.Equal(Finding.UnderProvisioned, result.Finding);
                    // Only when no type of any family holds the need plus margin.
                    Assert.DoesNotContain(PriceCatalog.BuiltIn.Offers, o => o.VCpus >= result.RequiredVCpus && o.MemoryGiB >= result.RequiredMemoryGiB);
                    continue;
                }
                Assert.True(recommended.VCpus >= cpu * current.VCpus * (1 + margin) - 1e-9, $"{current.Name} cpu {cpu:P1} margin {margin:P0}: {recommended.Name} has {recommended.VCpus} vCPU");
                var memoryNeed = memory is { } m ? m * current.MemoryGiB * (1 + margin) : current.MemoryGiB;
                Assert.True(recommended.MemoryGiB >= memoryNeed - 1e-9, $"{current.Name} memory {memory:P1}: {recommended.Name} has {recommended.MemoryGiB} GiB");
                Assert.True(recommended.VCpus >= result.RequiredVCpus!.Value && recommended.MemoryGiB >= result.RequiredMemoryGiB!.Value);
                // And it is the cheapest that fits among the candidates.
                Assert.DoesNotContain(PriceCatalog.BuiltIn.Offers, o => o.HourlyUsd < recommended.HourlyUsd && o.VCpus >= result.RequiredVCpus && o.MemoryGiB >= result.RequiredMemoryGiB
                    && (options.AnyFamily || o.Family == recommended.Family));
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 1000, $"only {checkedCount} recommendations checked");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(29)]
    public void Under_30_hours_is_insufficient_data_and_no_recommendation(long hours)
    {
        var result = Rightsizer.Recommend(Peaks("m5.xlarge", 0.05, 0.1, hours), PriceCatalog.BuiltIn.Find("m5.xlarge"), PriceCatalog.BuiltIn, Defaults);
        Assert.Equal(Finding.InsufficientData, result.Finding);
        Assert.Null(result.Recommended);
        Assert.Null(result.Risk);
        Assert.Contains("insufficient data", result.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Thirty_hours_is_enough()
    {
        var result = Rightsizer.Recommend(Peaks("m5.xlarge", 0.05, 0.1, 30), PriceCatalog.BuiltIn.Find("m5.xlarge"), PriceCatalog.BuiltIn, Defaults);
        Assert.Equal(Finding.OverProvisioned, result.Finding);
        Assert.Equal("m5.large", result.Recommended!.Name);
    }

    [Fact]
    public void Over_under_and_optimized_with_reasons_and_risk()
    {
        var xlarge = PriceCatalog.BuiltIn.Find("m5.xlarge")!;
        // 4 vCPU at 20% = 0.8 vCPU, 0.96 with margin; memory 30% of 16 = 4.8 GiB, 5.76 with margin: m5.large (2 vCPU, 8 GiB).
        var over = Rightsizer.Recommend(Peaks("m5.xlarge", 0.2, 0.3), xlarge, PriceCatalog.BuiltIn, Defaults);
        Assert.Equal(Finding.OverProvisioned, over.Finding);
        Assert.Equal("m5.large", over.Recommended!.Name);
        Assert.Equal(0.8 * 1.2, over.RequiredVCpus!.Value, 9);
        Assert.Equal(PerformanceRisk.Low, over.Risk); // projected: CPU 0.8 of 2 vCPU = 40%, memory 4.8 of 8 GiB = 60%
        Assert.Contains(over.Reasons, r => r.Contains("p99.5 of 5-minute maxima", StringComparison.Ordinal));

        var under = Rightsizer.Recommend(Peaks("m5.xlarge", 0.95, 0.5), xlarge, PriceCatalog.BuiltIn, Defaults);
        Assert.Equal(Finding.UnderProvisioned, under.Finding);
        Assert.Equal("m5.2xlarge", under.Recommended!.Name);
        Assert.Contains(under.Reasons, r => r.StartsWith("CPU under-provisioned", StringComparison.Ordinal));

        var optimized = Rightsizer.Recommend(Peaks("m5.xlarge", 0.6, 0.6), xlarge, PriceCatalog.BuiltIn, Defaults);
        Assert.Equal(Finding.Optimized, optimized.Finding);
        Assert.Same(xlarge, optimized.Recommended);
    }

    [Fact]
    public void Without_memory_data_the_memory_is_kept()
    {
        var xlarge = PriceCatalog.BuiltIn.Find("m5.xlarge")!;
        var result = Rightsizer.Recommend(Peaks("m5.xlarge", 0.05, null), xlarge, PriceCatalog.BuiltIn, Defaults);
        Assert.Equal(Finding.Optimized, result.Finding);
        Assert.Equal(16, result.RequiredMemoryGiB);
        Assert.Contains(result.Reasons, r => r.StartsWith("memory not measured", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_type_gets_no_recommendation()
    {
        var result = Rightsizer.Recommend(Peaks("x9.huge", 0.05, 0.1), null, PriceCatalog.BuiltIn, Defaults);
        Assert.Equal(Finding.UnknownType, result.Finding);
        Assert.Null(result.Recommended);
        Assert.Contains("x9.huge is not in the price catalog", result.Reasons[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.49, PerformanceRisk.VeryLow)]
    [InlineData(0.5, PerformanceRisk.Low)]
    [InlineData(0.7, PerformanceRisk.Medium)]
    [InlineData(0.85, PerformanceRisk.High)]
    public void Risk_follows_the_projected_peak(double peak, PerformanceRisk risk) => Assert.Equal(risk, Rightsizer.Risk(peak));

    [Fact]
    public void Idle_is_terminated_for_its_full_price_and_downsizing_saves_the_difference()
    {
        var options = Defaults;
        LowUtilizationRow Low(string key, string type, double max, int lowDays) =>
            new(new ReportResource(key, null, null, null, type), 14, lowDays, 14, max / 2, max, 1e6, 336);
        PeakUsageRow Peak(string key, string type, double cpu) => new(new ReportResource(key, null, null, null, type), 336, cpu, cpu, cpu / 2, 336, 0.1);

        var rows = InsightsEngine.Build(
            [Low("a", "m5.xlarge", 0.005, 14), Low("b", "m5.xlarge", 0.08, 14), Low("c", "m5.xlarge", 0.5, 0)],
            [Peak("a", "m5.xlarge", 0.005), Peak("b", "m5.xlarge", 0.08), Peak("c", "m5.xlarge", 0.5)],
            PriceCatalog.BuiltIn, options);

        var a = rows.Single(r => r.Resource.Key == "a");
        Assert.Equal(UnderuseKind.Idle, a.Underuse.Kind);
        Assert.Equal("terminate", a.Action);
        Assert.Equal(0.192m * 730, a.MonthlySavings);
        var b = rows.Single(r => r.Resource.Key == "b");
        Assert.Equal(UnderuseKind.LowUtilization, b.Underuse.Kind);
        Assert.Equal("downsize to m5.large", b.Action);
        Assert.Equal((0.192m - 0.096m) * 730, b.MonthlySavings);
        Assert.Equal(UnderuseKind.None, rows.Single(r => r.Resource.Key == "c").Underuse.Kind);
        Assert.Equal(["a", "b", "c"], rows.Select(r => r.Resource.Key));
    }
}
