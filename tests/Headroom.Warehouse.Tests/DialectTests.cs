using Dapper;
using MySqlConnector;
using Npgsql;
using Xunit.Abstractions;

namespace Headroom.Warehouse.Tests;

public sealed class SqliteWarehouseTests(SqliteDatabases databases, ITestOutputHelper output)
    : WarehouseContract(databases, output), IClassFixture<SqliteDatabases>;

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
