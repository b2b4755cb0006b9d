using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using Headroom.Lake.Publishing;
using Headroom.Lake.Storage;

namespace Headroom.Lake.Query;

/// <summary>The rows of a query: column names and values (DuckDB's .NET types).</summary>
public sealed record LakeQueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>
/// SQL over the lake with DuckDB, embedded: one view per table (<c>hourly</c>, <c>daily</c>, <c>resources</c>) over the
/// files the published manifests name, never a file a manifest does not (a killed writer's, a stale one), with the
/// partition keys as columns so that a filter on them skips whole partitions. A folder lake is read in place; an S3
/// lake's files are fetched into a local cache first (DuckDB's S3 support is an extension it downloads, which a
/// closed network does not allow).
/// </summary>
public sealed class LakeQuery : IAsyncDisposable
{
    /// <summary>Athena's price per TB scanned (us-east-1 and most regions), USD.</summary>
    public const double AthenaUsdPerTerabyte = 5.0;

    private static readonly Dictionary<string, string> s_hiveTypes = new(StringComparer.Ordinal)
    {
        ["hourly"] = "{'date': DATE, 'account': VARCHAR, 'region': VARCHAR}",
        ["daily"] = "{'month': VARCHAR, 'account': VARCHAR, 'region': VARCHAR}",
        ["resources"] = "{}",
    };

    private static readonly Dictionary<string, string> s_emptyViews = new(StringComparer.Ordinal)
    {
        ["hourly"] = "SELECT NULL::VARCHAR AS profile, NULL::VARCHAR AS resource_key, NULL::VARCHAR AS dimension, NULL::TIMESTAMP AS hour_start, NULL::DOUBLE AS avg_value, " +
            "NULL::DOUBLE AS min_value, NULL::DOUBLE AS max_value, NULL::DOUBLE AS p95_value, NULL::DOUBLE AS max_5m_value, NULL::BIGINT AS samples, NULL::BIGINT AS expected, " +
            "NULL::DATE AS date, NULL::VARCHAR AS account, NULL::VARCHAR AS region WHERE false",
        ["daily"] = "SELECT NULL::VARCHAR AS profile, NULL::VARCHAR AS resource_key, NULL::VARCHAR AS dimension, NULL::DATE AS day, NULL::DOUBLE AS avg_value, " +
            "NULL::DOUBLE AS min_value, NULL::DOUBLE AS max_value, NULL::DOUBLE AS p95_value, NULL::DOUBLE AS max_5m_value, NULL::BIGINT AS samples, NULL::BIGINT AS expected, " +
            "NULL::INTEGER AS hours, NULL::VARCHAR AS month, NULL::VARCHAR AS account, NULL::VARCHAR AS region WHERE false",
        ["resources"] = "SELECT NULL::VARCHAR AS profile, NULL::VARCHAR AS resource_key, NULL::VARCHAR AS account, NULL::VARCHAR AS region, NULL::VARCHAR AS instance_type, " +
            "NULL::VARCHAR AS name, NULL::VARCHAR AS identity_json, NULL::VARCHAR AS metadata_json, NULL::TIMESTAMP AS first_seen, NULL::TIMESTAMP AS last_seen WHERE false",
    };

    private readonly DuckDBConnection _connection;
    private readonly Dictionary<string, (string Partition, long Bytes)> _files;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private LakeQuery(DuckDBConnection connection, Dictionary<string, (string, long)> files, IReadOnlyList<PartitionManifest> manifests)
    {
        _connection = connection;
        _files = files;
        Manifests = manifests;
    }

    /// <summary>The published partitions the views read.</summary>
    public IReadOnlyList<PartitionManifest> Manifests { get; }

    /// <summary>Opens the lake in <paramref name="store"/>: reads its manifests and defines the views.</summary>
    public static async Task<LakeQuery> OpenAsync(IObjectStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var publisher = new PartitionPublisher(store);
        var manifests = new List<PartitionManifest>();
        var files = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        var connection = new DuckDBConnection("Data Source=:memory:");
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            foreach (var table in s_hiveTypes.Keys)
            {
                var paths = new List<string>();
                await foreach (var manifest in publisher.ListManifestsAsync($"table={table}/", cancellationToken).ConfigureAwait(false))
                {
                    manifests.Add(manifest);
                    foreach (var file in manifest.Files)
                    {
                        var local = await store.LocalPathAsync(manifest.Partition + "/" + file.Name, file.Sha256, cancellationToken).ConfigureAwait(false);
                        paths.Add(local);
                        files[local] = (manifest.Partition, file.Bytes);
                    }
                }
                var view = paths.Count == 0 ? s_emptyViews[table]
                    : $"SELECT * FROM read_parquet([{string.Join(", ", paths.Select(Quote))}], hive_partitioning = true" +
                      (table == "resources" ? ")" : $", hive_types = {s_hiveTypes[table]})");
                await ExecuteAsync(connection, $"CREATE VIEW {table} AS {view}", cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new LakeQuery(connection, files, manifests);
    }

    /// <summary>Runs <paramref name="sql"/> and returns its rows.</summary>
    /// <exception cref="LakeQueryException">DuckDB refused the SQL; the message is DuckDB's.</exception>
    public async Task<LakeQueryResult> QueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadAsync(sql, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="sql"/> with DuckDB's profiler on and reports which partitions and bytes it read.</summary>
    public async Task<(LakeQueryResult Result, ScanReport Scan)> ExplainAsync(string sql, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var profile = Path.Combine(Path.GetTempPath(), $"headroom-lake-profile-{Guid.NewGuid():N}.json");
        try
        {
            await ExecuteAsync(_connection, "PRAGMA enable_profiling = 'json'", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(_connection, $"SET profiling_output = {Quote(profile)}", cancellationToken).ConfigureAwait(false);
            LakeQueryResult result;
            try
            {
                result = await ReadAsync(sql, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await ExecuteAsync(_connection, "PRAGMA disable_profiling", cancellationToken).ConfigureAwait(false);
            }
            var scan = ScanReport.FromProfile(await File.ReadAllTextAsync(profile, cancellationToken).ConfigureAwait(false), _files);
            return (result, scan);
        }
        finally
        {
            _gate.Release();
            File.Delete(profile);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task<LakeQueryResult> ReadAsync(string sql, CancellationToken cancellationToken)
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var rows = new List<object?[]>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    try
                    {
                        row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    }
                    catch (InvalidCastException e)
                    {
                        // DuckDB.NET cannot hand some values to .NET (a LIST holding NULL, say); DuckDB can print them.
                        throw new LakeQueryException($"column '{columns[i]}': {e.Message}; select it as text, e.g. CAST({columns[i]} AS VARCHAR)", e);
                    }
                }
                rows.Add(row);
            }
            return new LakeQueryResult(columns, rows);
        }
        catch (DbException e)
        {
            throw new LakeQueryException(e.Message, e);
        }
    }

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>DuckDB refused a query.</summary>
public sealed class LakeQueryException : Exception
{
    public LakeQueryException() { }

    public LakeQueryException(string message) : base(message) { }

    public LakeQueryException(string message, Exception innerException) : base(message, innerException) { }
}
