using System.Data.Common;
using static Headroom.Warehouse.Tests.Samples;

namespace Headroom.Warehouse.Tests;

public abstract partial class WarehouseContract
{
    [Fact]
    public async Task A_commit_failing_or_cancelled_at_any_step_writes_nothing()
    {
        await using var warehouse = await NewWarehouseAsync();
        var runId = await StartRunAsync(warehouse, Profile);
        await warehouse.CommitWindowAsync(Window(runId, Profile, Start, 6, Keys(2), "cpu"));
        var before = await SnapshotAsync(warehouse);
        var next = Window(runId, Profile, Start.AddHours(6), 6, Keys(3), "cpu") with
        {
            Quarantine = [new QuarantinedRow("cpu", null, Start.AddHours(7), "nan", "NaN")],
            OpenGaps = [new GapOpening("cpu", Start.AddHours(6), Start.AddHours(12), "incomplete")],
        };
        var sql = (SqlWarehouse)warehouse;
        foreach (var step in Enum.GetValues<CommitStep>())
        {
            sql.BeforeCommitStep = (s, _) => s == step ? throw new IOException("crash at " + s) : ValueTask.CompletedTask;
            Assert.Equal("crash at " + step, (await Assert.ThrowsAsync<IOException>(() => warehouse.CommitWindowAsync(next))).Message);
            Assert.Equal(before, await SnapshotAsync(warehouse));

            using var cancellation = new CancellationTokenSource();
            sql.BeforeCommitStep = (s, _) =>
            {
                if (s == step)
                    cancellation.Cancel();
                return ValueTask.CompletedTask;
            };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => warehouse.CommitWindowAsync(next, cancellation.Token));
            Assert.Equal(before, await SnapshotAsync(warehouse));
        }
        sql.BeforeCommitStep = null;
        await warehouse.CommitWindowAsync(next);
        Assert.Equal(Start.AddHours(12), (await warehouse.GetWatermarkAsync(Profile, Source))?.End);
    }

    [Fact]
    public async Task A_row_violating_a_constraint_rolls_back_the_whole_window()
    {
        await using var warehouse = await NewWarehouseAsync();
        var runId = await StartRunAsync(warehouse, Profile);
        await warehouse.CommitWindowAsync(Window(runId, Profile, Start, 3, Keys(2), "cpu"));
        var before = await SnapshotAsync(warehouse);
        var next = Window(runId, Profile, Start.AddHours(3), 3, Keys(5), "cpu");
        // The last row breaks CHECK (samples >= 0), after new resources and 14 valid rows went in.
        var bad = next with { Hourly = [.. next.Hourly.SkipLast(1), next.Hourly[^1] with { Samples = -1 }] };

        await Assert.ThrowsAnyAsync<DbException>(() => warehouse.CommitWindowAsync(bad));

        Assert.Equal(before, await SnapshotAsync(warehouse));
        Assert.Equal(2, await CountAsync(warehouse, "resources"));
        // An unknown run id breaks a foreign key.
        await Assert.ThrowsAnyAsync<DbException>(() => warehouse.CommitWindowAsync(next with { RunId = 987654 }));
        Assert.Equal(before, await SnapshotAsync(warehouse));
    }
}
