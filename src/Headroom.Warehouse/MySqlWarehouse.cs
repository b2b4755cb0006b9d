using System.Data.Common;
using MySqlConnector;

namespace Headroom.Warehouse;

/// <summary>
/// MySQL 8, MariaDB and PolarDB: multi-row <c>INSERT … ON DUPLICATE KEY UPDATE</c> with <c>VALUES(col)</c>,
/// which all three accept (MySQL 8.0.20+ deprecates it in favour of row aliases MariaDB lacks).
/// </summary>
internal sealed class MySqlWarehouse(WarehouseUrl url, WarehouseOptions options) : SqlWarehouse(url, options)
{
    protected override string MigrationFolder => "mysql";

    protected override string MigrationsTableSql =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at DATETIME NOT NULL) " +
        "ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin";

    protected override DbConnection CreateConnection() => new MySqlConnection(Url.ConnectionString);

    protected internal override object Ts(DateTimeOffset value) => DateTime.SpecifyKind(value.UtcDateTime, DateTimeKind.Unspecified);

    protected override bool IsTransient(DbException exception) =>
        exception is MySqlException { ErrorCode: MySqlErrorCode.LockDeadlock or MySqlErrorCode.LockWaitTimeout };

    protected override string DayOf(string column) => $"DATE({column})";

    protected override string Incoming(string column) => $"VALUES({column})";

    protected override string Stored(string table, string column) => column;

    protected override string OnConflict(string keys) => "ON DUPLICATE KEY UPDATE";

    protected override string ReturningId(string insert) => insert + "; SELECT LAST_INSERT_ID()";

    protected override async Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        // A session lock: MySQL commits DDL implicitly, so a transaction-scoped lock would not hold.
        // The pool resets the session (and releases the lock) when the connection is returned.
        var command = Command(connection, transaction, "SELECT GET_LOCK('headroom_migrations', 60)");
        await using var commandDisposal = command.ConfigureAwait(false);
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask DisposeAsync()
    {
        using var connection = new MySqlConnection(Url.ConnectionString);
        MySqlConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
