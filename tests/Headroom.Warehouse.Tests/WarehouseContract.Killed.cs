using static Headroom.Warehouse.Tests.Samples;

namespace Headroom.Warehouse.Tests;

public abstract partial class WarehouseContract
{
    /// <summary>
    /// The server loses the committing session (as when the ETL process is killed) just before the watermark
    /// step or just before COMMIT: the server rolls the transaction back and the window leaves no trace.
    /// </summary>
    protected async Task AssertAKilledSessionLeavesNothingAsync(Func<string, Task> killOtherSessions)
    {
        var url = await databases.NewDatabaseUrlAsync();
        string before;
        WindowCommit next;
        await using (var warehouse = await Warehouse.OpenAsync(url))
        {
            await warehouse.MigrateAsync();
            var runId = await StartRunAsync(warehouse, "node");
            await warehouse.CommitWindowAsync(Window(runId, "node", Start, 6, Keys(5), "cpu"));
            before = await SnapshotAsync(warehouse);
            next = Window(runId, "node", Start.AddHours(6), 6, Keys(8), "cpu");
        }

        foreach (var step in new[] { CommitStep.Watermark, CommitStep.Commit })
        {
            await using (var warehouse = await Warehouse.OpenAsync(url))
            {
                var sql = (SqlWarehouse)warehouse;
                sql.BeforeCommitStep = async (s, _) =>
                {
                    if (s == step)
                        await killOtherSessions(sql.Url.ConnectionString);
                };
                var error = await Assert.ThrowsAnyAsync<Exception>(() => warehouse.CommitWindowAsync(next));
                Log($"{databases.Dialect}, session killed before {step}: {error.GetType().Name}: {error.Message}");
            }
            await using (var warehouse = await Warehouse.OpenAsync(url))
                Assert.Equal(before, await SnapshotAsync(warehouse));
        }
    }
}
