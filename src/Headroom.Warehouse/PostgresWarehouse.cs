using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace Headroom.Warehouse;

/// <summary>
/// PostgreSQL: hourly rows through binary COPY into a temporary table dropped at commit, then one
/// <c>INSERT … SELECT … ON CONFLICT DO UPDATE</c>; other upserts as multi-row statements.
/// </summary>
internal sealed class PostgresWarehouse : SqlWarehouse
{
    // An arbitrary constant naming Headroom's advisory lock, so concurrent migrators queue.
    private const long MigrationLockKey = 0x4865_6164_726F_6F6D;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresWarehouse(WarehouseUrl url, WarehouseOptions options) : base(url, options) =>
        _dataSource = NpgsqlDataSource.Create(url.ConnectionString);

    protected override string MigrationFolder => "postgres";

    protected override string MigrationsTableSql =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at TIMESTAMPTZ NOT NULL)";

    protected override DbConnection CreateConnection() => _dataSource.CreateConnection();

    protected internal override object Ts(DateTimeOffset value) => value.ToUniversalTime();

    // 40001 serialization_failure, 40P01 deadlock_detected.
    protected override bool IsTransient(DbException exception) => exception is PostgresException { SqlState: "40001" or "40P01" };

    protected override string DayOf(string column) => $"(({column}) AT TIME ZONE 'UTC')::date";

    protected override string Incoming(string column) => "EXCLUDED." + column;

    protected override async Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key)");
        await using var commandDisposal = command.ConfigureAwait(false);
        Add(command, "@key", MigrationLockKey);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task UpsertHourlyAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", HourlyColumns);
        var create = Command(connection, transaction, "CREATE TEMP TABLE hourly_stage (LIKE utilization_hourly) ON COMMIT DROP");
        await using (create.ConfigureAwait(false))
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        var npgsql = (NpgsqlConnection)connection;
        var import = await npgsql.BeginBinaryImportAsync($"COPY hourly_stage ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        await using (import.ConfigureAwait(false))
        {
            foreach (var row in rows)
            {
                await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await import.WriteAsync((long)row[0]!, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync((string)row[1]!, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync((DateTimeOffset)row[2]!, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                for (var i = 3; i <= 6; i++)
                    await import.WriteAsync((double)row[i]!, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                if (row[7] is double max5m)
                    await import.WriteAsync(max5m, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                else
                    await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                for (var i = 8; i <= 10; i++)
                    await import.WriteAsync((long)row[i]!, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            }
            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var upsert = Command(connection, transaction,
            $"INSERT INTO utilization_hourly ({columns}) SELECT {columns} FROM hourly_stage " +
            ReplaceAllUpsert("resource_id, dimension, hour_start", HourlyColumns.Skip(3)));
        await using var upsertDisposal = upsert.ConfigureAwait(false);
        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
