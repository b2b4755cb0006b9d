using System.Data.Common;
using System.Net.Sockets;

namespace Headroom.Warehouse;

/// <summary>
/// The warehouse logic shared by every dialect; subclasses supply connections, the SQL that differs
/// (upsert syntax, functions, timestamp representation) and their bulk path.
/// </summary>
internal abstract partial class SqlWarehouse : IWarehouse
{
    protected SqlWarehouse(WarehouseUrl url, WarehouseOptions options)
    {
        Url = url;
        Clock = options.TimeProvider;
        CommandTimeoutSeconds = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
    }

    public WarehouseDialect Dialect => Url.Dialect;

    public string DisplayUrl => Url.Redacted;

    internal WarehouseUrl Url { get; }

    protected TimeProvider Clock { get; }

    protected int CommandTimeoutSeconds { get; }

    /// <summary>Test seam: runs before each step of a window commit, inside its transaction.</summary>
    internal Func<CommitStep, CancellationToken, ValueTask>? BeforeCommitStep { get; set; }

    /// <summary>Creates an unopened connection.</summary>
    protected abstract DbConnection CreateConnection();

    /// <summary>Converts a UTC timestamp to the provider's parameter value.</summary>
    protected internal abstract object Ts(DateTimeOffset value);

    /// <summary>The SQL expression of the UTC day of a timestamp column.</summary>
    protected abstract string DayOf(string column);

    /// <summary>DDL of schema_migrations.</summary>
    protected abstract string MigrationsTableSql { get; }

    /// <summary>Whether an error means "roll back and try again" (deadlock, serialization failure, busy database).</summary>
    protected abstract bool IsTransient(DbException exception);

    /// <summary>Sets per-connection options after opening (SQLite pragmas).</summary>
    protected virtual Task OnOpenedAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Opens a pooled connection, wrapping connection failures in a <see cref="WarehouseException"/> that names the redacted URL.</summary>
    internal async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        DbConnection? connection = null;
        try
        {
            connection = CreateConnection();
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await OnOpenedAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception e) when (e is DbException or SocketException or IOException or TimeoutException or InvalidOperationException or UnauthorizedAccessException)
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
            throw new WarehouseException($"Cannot connect to the warehouse at {DisplayUrl}: {e.Message}", e);
        }
        catch
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.CommandTimeout = CommandTimeoutSeconds;
        return command;
    }

    internal static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    internal Dapper.CommandDefinition Definition(string sql, object? parameters, DbTransaction? transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, CommandTimeoutSeconds, cancellationToken: cancellationToken);

    protected DateTimeOffset Now() => Timestamps.Utc(Clock.GetUtcNow());

    public abstract ValueTask DisposeAsync();
}

/// <summary>The steps of a window commit, in order.</summary>
internal enum CommitStep
{
    Resources,
    Hourly,
    Daily,
    Quarantine,
    Gaps,
    Watermark,
    Commit,
}
