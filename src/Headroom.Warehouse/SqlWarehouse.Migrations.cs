using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Headroom.Warehouse;

/// <summary>Versioned migrations: embedded <c>Sql/&lt;dialect&gt;/NNN_name.sql</c> files, recorded in schema_migrations.</summary>
internal abstract partial class SqlWarehouse
{
    /// <summary>The folder of this dialect's migration files.</summary>
    protected abstract string MigrationFolder { get; }

    /// <summary>Serialises concurrent migrators; runs inside the migration's transaction.</summary>
    protected virtual Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default) => MigrateToAsync(int.MaxValue, cancellationToken);

    /// <summary>Applies the migrations up to and including <paramref name="lastVersion"/> (tests start from an older schema with it).</summary>
    internal async Task<IReadOnlyList<int>> MigrateToAsync(int lastVersion, CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        await connection.ExecuteAsync(Definition(MigrationsTableSql, null, null, cancellationToken)).ConfigureAwait(false);
        var applied = new List<int>();
        foreach (var migration in Migrations(MigrationFolder).Where(m => m.Version <= lastVersion))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionDisposal = transaction.ConfigureAwait(false);
            await LockMigrationsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            var done = await connection.ExecuteScalarAsync<long>(Definition(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = @version", new { version = migration.Version }, transaction, cancellationToken)).ConfigureAwait(false);
            if (done > 0)
                continue;
            // PostgreSQL and SQLite run DDL transactionally; MySQL commits each DDL statement, which is why
            // every statement there is idempotent (IF NOT EXISTS) and the version is recorded last.
            foreach (var statement in Statements(migration.Sql))
                await connection.ExecuteAsync(Definition(statement, null, transaction, cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(Definition(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @appliedAt)",
                new { version = migration.Version, name = migration.Name, appliedAt = Ts(Now()) }, transaction, cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(migration.Version);
        }
        return applied;
    }

    internal static IReadOnlyList<(int Version, string Name, string Sql)> Migrations(string folder)
    {
        var assembly = typeof(SqlWarehouse).Assembly;
        var prefix = $"Sql/{folder}/";
        var result = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(resource[prefix.Length..]);
            var version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            result.Add((version, name, reader.ReadToEnd()));
        }
        return result;
    }

    /// <summary>Splits a migration file into statements: comment lines dropped, split at ';' ending a line.</summary>
    internal static IEnumerable<string> Statements(string sql)
    {
        var lines = sql.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal));
        return string.Join('\n', lines)
            .Split(";\n")
            .Select(s => s.Trim().TrimEnd(';').Trim())
            .Where(s => s.Length > 0);
    }
}
