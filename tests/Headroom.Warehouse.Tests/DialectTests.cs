using Dapper;
using MySqlConnector;
using Npgsql;
using Xunit.Abstractions;
using static Headroom.Warehouse.Tests.Samples;

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
    public Task A_session_killed_mid_commit_leaves_nothing() => AssertAKilledSessionLeavesNothingAsync(async connectionString =>
    {
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        var killed = await admin.ExecuteScalarAsync<int>(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        Assert.True(killed > 0);
    });

    [Fact]
    public async Task The_report_can_read_hourly_cpu_from_the_key_index_alone()
    {
        // Migration 002 puts the values the report reads into the primary key's index (INCLUDE). The planner picks
        // it on large tables; on this empty one the other ways are turned off to see that it can.
        await using var warehouse = (SqlWarehouse)await NewWarehouseAsync();
        await using var connection = await warehouse.OpenConnectionAsync(default);
        await connection.ExecuteAsync("SET enable_seqscan = off; SET enable_bitmapscan = off");
        var plan = string.Join("\n", await connection.QueryAsync<string>("EXPLAIN " + ReportSql.CpuMaxima,
            new { profile = "node", cpu = "cpu", start = Start, end = Start.AddDays(14) }));
        Assert.Contains("Index Only Scan using utilization_hourly_pkey on utilization_hourly h", plan);
    }
}

public sealed class MariaDbWarehouseTests(MariaDbDatabases databases, ITestOutputHelper output)
    : WarehouseContract(databases, output), IClassFixture<MariaDbDatabases>
{
    [Fact]
    public Task A_session_killed_mid_commit_leaves_nothing() => AssertAKilledSessionLeavesNothingAsync(async connectionString =>
    {
        await using var admin = new MySqlConnection(new MySqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        var sessions = (await admin.QueryAsync<long>("SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()")).ToList();
        Assert.NotEmpty(sessions);
        foreach (var id in sessions)
            await admin.ExecuteAsync("KILL CONNECTION " + id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    });
}
