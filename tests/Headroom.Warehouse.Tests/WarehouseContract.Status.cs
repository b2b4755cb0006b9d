using Microsoft.Extensions.Time.Testing;
using static Headroom.Warehouse.Tests.Samples;

namespace Headroom.Warehouse.Tests;

public abstract partial class WarehouseContract
{
    [Fact]
    public async Task Gaps_open_count_attempts_and_resolve()
    {
        var clock = new FakeTimeProvider(Start.AddDays(2));
        await using var warehouse = await NewWarehouseAsync(new WarehouseOptions { TimeProvider = clock });
        var runId = await StartRunAsync(warehouse, "node");
        var gap = new GapOpening("memory", Start, Start.AddHours(6), "no_data");
        await warehouse.CommitWindowAsync(new WindowCommit(runId, "node", Source, Start, Start.AddHours(6)) { OpenGaps = [gap] });
        clock.Advance(TimeSpan.FromHours(1));
        await warehouse.CommitWindowAsync(new WindowCommit(runId, "node", Source, Start, Start.AddHours(6)) { OpenGaps = [gap with { Reason = "incomplete" }, gap with { Reason = "incomplete" }] });

        var open = Assert.Single(await warehouse.ListOpenGapsAsync("node", Source));
        Assert.Equal(("memory", Start, Start.AddHours(6), "incomplete", 2), (open.Dimension, open.WindowStart, open.WindowEnd, open.Reason, open.Attempts));
        Assert.Equal((Start.AddDays(2), Start.AddDays(2).AddHours(1)), (open.FirstSeen, open.LastAttempt));
        Assert.Equal(1, (await warehouse.GetStatusAsync()).OpenGaps);

        await warehouse.CommitWindowAsync(Window(runId, "node", Start, 6, Keys(1), "memory") with { ResolvedGaps = [new GapResolution("memory", Start)] });
        Assert.Empty(await warehouse.ListOpenGapsAsync("node", Source));
        Assert.Equal(0, (await warehouse.GetStatusAsync()).OpenGaps);
        Assert.Equal(1, await CountAsync(warehouse, "gaps"));
    }

    [Fact]
    public async Task Status_shows_runs_lag_gaps_and_quarantine_by_reason()
    {
        var clock = new FakeTimeProvider(Start.AddDays(1));
        await using var warehouse = await NewWarehouseAsync(new WarehouseOptions { TimeProvider = clock });
        var failed = await StartRunAsync(warehouse, "node");
        await warehouse.FinishRunAsync(failed, new EtlRunResult(EtlRunStatus.Failed, 0, 0, "source unreachable"));
        var runId = await warehouse.StartRunAsync(new EtlRunStart("node", "http://etl:secret@prometheus:9090/", Start, Start.AddHours(6)));
        await warehouse.CommitWindowAsync(Window(runId, "node", Start, 6, Keys(2), "cpu") with
        {
            Quarantine =
            [
                new QuarantinedRow("cpu", "h1", Start, "out_of_range", "2.5"),
                new QuarantinedRow("cpu", "h2", Start.AddHours(1), "out_of_range", "-1"),
                new QuarantinedRow("cpu", "h3", Start.AddHours(2), "low_completeness", "3/60"),
            ],
            OpenGaps = [new GapOpening("memory", Start, Start.AddHours(6), "no_data")],
        });

        var status = await warehouse.GetStatusAsync();

        Assert.Equal([runId, failed], status.RecentRuns.Select(r => r.Id));
        Assert.Equal((EtlRunStatus.Running, "http://prometheus:9090/"), (status.RecentRuns[0].Status, status.RecentRuns[0].Source));
        Assert.Equal((EtlRunStatus.Failed, "source unreachable"), (status.RecentRuns[1].Status, status.RecentRuns[1].Error));
        var lag = Assert.Single(status.Watermarks);
        Assert.Equal(TimeSpan.FromHours(18), lag.Lag);
        Assert.Equal(1, status.OpenGaps);
        Assert.Equal(new Dictionary<string, long> { ["low_completeness"] = 1, ["out_of_range"] = 2 }, status.QuarantineByReason);
        Assert.Single(await warehouse.GetStatusAsync(recentRuns: 1) is { } one ? one.RecentRuns : []);
    }
}
