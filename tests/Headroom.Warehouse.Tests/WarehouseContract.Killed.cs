using static Headroom.Warehouse.Tests.Samples;

namespace Headroom.Warehouse.Tests;

public abstract partial class WarehouseContract
{
    /// <summary>
    /// The server loses the committing session (as when the ETL process is killed) just before the watermark
    /// step or just before COMMIT: the server rolls the transaction back and the window leaves no trace.
    /// </summary>
    /// <typeparam name="TClientException">The database client's own exception for a session the server ended.</typeparam>
    /// <param name="killOtherSessions">Ends every session of the database but its own; returns how many it ended.</param>
    protected async Task AssertAKilledSessionLeavesNothingAsync<TClientException>(Func<string, Task<int>> killOtherSessions)
        where TClientException : Exception
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
            // The hook only records: an assertion failing inside it would surface as the commit's exception and
            // be taken for the kill. Whether it ran, and killed, is checked below.
            var killed = new List<int>();
            await using (var warehouse = await Warehouse.OpenAsync(url))
            {
                var sql = (SqlWarehouse)warehouse;
                sql.BeforeCommitStep = async (s, _) =>
                {
                    if (s == step)
                        killed.Add(await killOtherSessions(sql.Url.ConnectionString));
                };
                var error = await Assert.ThrowsAnyAsync<TClientException>(() => warehouse.CommitWindowAsync(next));
                Log($"{databases.Dialect}, session killed before {step}: {error.GetType().Name}: {error.Message}");
            }
            Assert.NotEmpty(killed);
            Assert.All(killed, count => Assert.True(count > 0, $"no session was killed before {step}"));
            await using (var warehouse = await Warehouse.OpenAsync(url))
                Assert.Equal(before, await SnapshotAsync(warehouse));
        }
    }
}
