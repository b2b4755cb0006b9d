using Dapper;
using MySqlConnector;
using Npgsql;
using Xunit.Abstractions;

namespace Headroom.Warehouse.Tests;

public sealed class SqliteWarehouseTests(SqliteDatabases databases, ITestOutputHelper output)
    : WarehouseContract(databases, output), IClassFixture<SqliteDatabases>
{
    [Fact]
    public async Task The_report_reads_hourly_cpu_by_the_key_the_rows_are_stored_in()
    {
        // Migration 002 (WITHOUT ROWID): before it, each hourly row was a rowid lookup from the key's index (docs/benchmarks.md).
        await using var warehouse = (SqlWarehouse)await NewWarehouseAsync();
        await using var connection = await warehouse.OpenConnectionAsync(default);
        var plan = string.Join("\n", (await connection.QueryAsync("EXPLAIN QUERY PLAN " + ReportSql.CpuMaxima,
            new { profile = "node", cpu = "cpu", start = "2026-11-01 00:00:00", end = "2026-11-15 00:00:00" })).Select(static r => (string)r.detail));
        Assert.Contains("SEARCH h USING PRIMARY KEY (resource_id=? AND dimension=?", plan);
    }
}

public sealed class PostgresWarehouseTests(PostgresDatabases databases, ITestOutputHelper output)
    : WarehouseContract(databases, output), IClassFixture<PostgresDatabases>
{
    [Fact]
    public Task A_session_killed_mid_commit_leaves_nothing() => AssertAKilledSessionLeavesNothingAsync<NpgsqlException>(async connectionString =>
    {
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        return await admin.ExecuteScalarAsync<int>(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
    });

    [Fact]
    public async Task The_hourly_key_index_carries_what_the_report_reads()
    {
        // Migration 002: with these columns in the key's index, the report's read of hourly CPU rows is an index-only
        // scan on a large table (docs/benchmarks.md has the plan; on a small one the planner may prefer another way).
        await using var warehouse = (SqlWarehouse)await NewWarehouseAsync();
        await using var connection = await warehouse.OpenConnectionAsync(default);
        Assert.Equal(
            "CREATE UNIQUE INDEX utilization_hourly_pkey ON public.utilization_hourly USING btree (resource_id, dimension, hour_start) INCLUDE (max_5m_value, max_value, avg_value)",
            await connection.ExecuteScalarAsync<string>("SELECT indexdef FROM pg_indexes WHERE indexname = 'utilization_hourly_pkey'"));
    }
}

public sealed class MariaDbWarehouseTests(MariaDbDatabases databases, ITestOutputHelper output)
    : WarehouseContract(databases, output), IClassFixture<MariaDbDatabases>
{
    [Fact]
    public Task A_session_killed_mid_commit_leaves_nothing() => AssertAKilledSessionLeavesNothingAsync<MySqlException>(async connectionString =>
    {
        await using var admin = new MySqlConnection(new MySqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        var sessions = (await admin.QueryAsync<long>("SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()")).ToList();
        foreach (var id in sessions)
            await admin.ExecuteAsync("KILL CONNECTION " + id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return sessions.Count;
    });
}
