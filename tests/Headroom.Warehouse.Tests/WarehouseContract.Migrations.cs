using System.Globalization;
using Dapper;
using static Headroom.Warehouse.Tests.Samples;

namespace Headroom.Warehouse.Tests;

public abstract partial class WarehouseContract
{
    [Fact]
    public async Task A_warehouse_at_version_1_migrates_to_2_and_keeps_its_rows()
    {
        await using var warehouse = (SqlWarehouse)await Warehouse.OpenAsync(await databases.NewDatabaseUrlAsync());
        Assert.Equal([1], await warehouse.MigrateToAsync(1));
        var runId = await StartRunAsync(warehouse, Profile);
        var window = Window(runId, Profile, Start, 6, Keys(3), "cpu", "memory");
        await warehouse.CommitWindowAsync(window);
        var before = await StoredAsync(warehouse);

        Assert.Equal([2], await warehouse.MigrateAsync());
        Assert.Empty(await warehouse.MigrateAsync());

        Assert.Equal(before, await StoredAsync(warehouse));
        Assert.Equal(Sorted(window.Hourly), Sorted(await warehouse.ReadHourlyAsync(Profile)));
        Assert.Equal("etl_runs,gaps,quarantine,resources,schema_migrations,utilization_daily,utilization_hourly,watermarks", await TablesAsync(warehouse));
        // The upsert's conflict target still finds the key once its storage changed (SQLite rebuilds the table,
        // PostgreSQL the key's index).
        await warehouse.CommitWindowAsync(window with { RunId = await StartRunAsync(warehouse, Profile) });
        Assert.Equal(before, await StoredAsync(warehouse));
    }

    [Fact]
    public async Task Every_migration_statement_can_run_again()
    {
        // MySQL commits each DDL statement on its own: a migrator stopped before recording a version runs that
        // migration's statements again next time, so each must succeed on a schema that already has its effect.
        await using var warehouse = (SqlWarehouse)await NewWarehouseAsync();
        var runId = await StartRunAsync(warehouse, Profile);
        var window = Window(runId, Profile, Start, 4, Keys(2), "cpu");
        await warehouse.CommitWindowAsync(window);
        var before = await StoredAsync(warehouse);

        await using (var connection = await warehouse.OpenConnectionAsync(default))
        {
            foreach (var migration in SqlWarehouse.Migrations(Folder(warehouse.Dialect)))
            {
                foreach (var statement in SqlWarehouse.Statements(migration.Sql))
                    await connection.ExecuteAsync(statement);
            }
        }

        Assert.Empty(await warehouse.MigrateAsync());
        Assert.Equal(before, await StoredAsync(warehouse));
        await warehouse.CommitWindowAsync(window with { RunId = await StartRunAsync(warehouse, Profile) });
        Assert.Equal(before, await StoredAsync(warehouse));
    }

    /// <summary>
    /// <see cref="SnapshotAsync"/> with daily means to 12 significant digits: a daily mean is a floating-point sum in
    /// the order the database's plan reads the hours, and a changed index or fresh statistics may change that order
    /// and so the last bit (seen on PostgreSQL). Every other value must stay exactly equal.
    /// </summary>
    private static async Task<string> StoredAsync(IWarehouse warehouse)
    {
        var daily = (await warehouse.ReadDailyAsync(Profile)).Select(d => (d with { Avg = double.Parse(d.Avg.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) }).ToString())
            .Order(StringComparer.Ordinal);
        return string.Join("\n", [await SnapshotAsync(warehouse, withDaily: false), .. daily]);
    }

    private static async Task<string> TablesAsync(SqlWarehouse warehouse)
    {
        await using var connection = await warehouse.OpenConnectionAsync(default);
        var sql = warehouse.Dialect switch
        {
            WarehouseDialect.Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
            WarehouseDialect.Postgres => "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
            _ => "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
        };
        return string.Join(",", (await connection.QueryAsync<string>(sql)).Order(StringComparer.Ordinal));
    }

    private static string Folder(WarehouseDialect dialect) => dialect switch
    {
        WarehouseDialect.Sqlite => "sqlite",
        WarehouseDialect.Postgres => "postgres",
        _ => "mysql",
    };
}
