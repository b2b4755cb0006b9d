using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
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

    /// <summary>The partition columns of each table and their SQL types, as <see cref="s_hiveTypes"/> declares them.</summary>
    private static readonly Dictionary<string, (string Name, string Type)[]> s_hiveColumns = s_hiveTypes.ToDictionary(
        static t => t.Key,
        static t => System.Text.RegularExpressions.Regex.Matches(t.Value, @"'(\w+)': (\w+)").Select(static m => (m.Groups[1].Value, m.Groups[2].Value)).ToArray(),
        StringComparer.Ordinal);

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
    private readonly Dictionary<string, List<string>> _tables;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private LakeQuery(DuckDBConnection connection, Dictionary<string, (string, long)> files, Dictionary<string, List<string>> tables, IReadOnlyList<PartitionManifest> manifests)
    {
        _connection = connection;
        _files = files;
        _tables = tables;
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
        var tables = new Dictionary<string, List<string>>(StringComparer.Ordinal);
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
                tables[table] = paths;
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
        return new LakeQuery(connection, files, tables, manifests);
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
            var scans = new List<(ParquetScan, IReadOnlyList<string>, int)>();
            foreach (var scan in ScanReport.Scans(await File.ReadAllTextAsync(profile, cancellationToken).ConfigureAwait(false)))
            {
                var table = _tables.FirstOrDefault(t => scan.Listed.Count > 0 && t.Value.Contains(scan.Listed[0], StringComparer.Ordinal));
                scans.Add((scan, await FilesReadAsync(scan, table.Key, cancellationToken).ConfigureAwait(false), scan.FilesCovered ?? table.Value?.Count ?? scan.FilesRead));
            }
            return (result, ScanReport.From(scans, _files));
        }
        finally
        {
            _gate.Release();
            File.Delete(profile);
        }
    }

    /// <summary>
    /// The files <paramref name="scan"/> opened. DuckDB names only the first five; it opens the files of its list in order,
    /// so they are the first <see cref="ParquetScan.FilesRead"/> of the view's files that its partition filters keep
    /// (evaluated here by DuckDB over the partitions' keys). A filter that cannot be evaluated keeps every file: the
    /// figure stays an upper bound.
    /// </summary>
    private async Task<IReadOnlyList<string>> FilesReadAsync(ParquetScan scan, string? table, CancellationToken cancellationToken)
    {
        if (!scan.Truncated || table is null)
            return scan.Listed;
        IReadOnlyList<string> candidates = _tables[table];
        if (scan.FileFilters is { } filters && ScanReport.FilterConditions(filters) is { Count: > 0 } conditions)
        {
            var columns = s_hiveColumns[table];
            var rows = candidates.Select((path, i) =>
            {
                var keys = _files[path].Partition.Split('/').Select(static p => p.Split('=', 2)).Where(static p => p.Length == 2)
                    .ToDictionary(static p => p[0], static p => p[1], StringComparer.Ordinal);
                return $"({i.ToString(CultureInfo.InvariantCulture)}, " +
                    string.Join(", ", columns.Select(c => keys.TryGetValue(c.Name, out var v) ? $"CAST({Quote(v)} AS {c.Type})" : $"NULL::{c.Type}")) + ")";
            });
            var sql = $"SELECT i FROM (VALUES {string.Join(", ", rows)}) AS t(i, {string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) " +
                $"WHERE {string.Join(" AND ", conditions)} ORDER BY i";
            try
            {
                var kept = await ReadAsync(sql, cancellationToken).ConfigureAwait(false);
                candidates = [.. kept.Rows.Select(r => candidates[Convert.ToInt32(r[0], CultureInfo.InvariantCulture)])];
            }
            catch (LakeQueryException)
            {
                // Every file of the view, as above.
            }
        }
        return [.. candidates.Take(scan.FilesRead)];
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
                        // An INTERVAL with months has no TimeSpan (DuckDB.NET throws); all intervals come as DuckDB prints them.
                        row[i] = reader.IsDBNull(i) ? null
                            : reader.GetFieldType(i) == typeof(TimeSpan) ? IntervalText(reader.GetFieldValue<DuckDBInterval>(i))
                            : reader.GetValue(i);
                    }
                    catch (Exception e) when (e is InvalidCastException or ArgumentOutOfRangeException or OverflowException)
                    {
                        // DuckDB.NET cannot hand some values to .NET (a LIST holding NULL, say); DuckDB can print them.
                        // An interval with months inside a LIST or STRUCT fails with a message naming the driver's .NET types.
                        var what = e is ArgumentOutOfRangeException ? "an INTERVAL with months inside a LIST or STRUCT cannot be read as a value" : e.Message;
                        throw new LakeQueryException($"column '{columns[i]}': {what}; select it as text, e.g. CAST({columns[i]} AS VARCHAR)", e);
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

    /// <summary>An interval as DuckDB prints it: <c>1 year 2 months 3 days 04:05:06.5</c>, <c>3 days</c>, <c>01:30:00</c>.</summary>
    internal static string IntervalText(DuckDBInterval interval)
    {
        static string Count(long n, string unit) => string.Create(CultureInfo.InvariantCulture, $"{n} {unit}{(Math.Abs(n) == 1 ? "" : "s")}");
        // DuckDB.NET's fields are unsigned: DuckDB's signed values, reinterpreted.
        var (months, days, signed) = (unchecked((int)interval.Months), unchecked((int)interval.Days), unchecked((long)interval.Micros));
        var parts = new List<string>();
        if (months / 12 != 0)
            parts.Add(Count(months / 12, "year"));
        if (months % 12 != 0)
            parts.Add(Count(months % 12, "month"));
        if (days != 0)
            parts.Add(Count(days, "day"));
        if (signed != 0 || parts.Count == 0)
        {
            var micros = Math.Abs(signed);
            var fraction = micros % 1_000_000;
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{(signed < 0 ? "-" : "")}{micros / 3_600_000_000:00}:{micros / 60_000_000 % 60:00}:{micros / 1_000_000 % 60:00}{(fraction == 0 ? "" : "." + fraction.ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0'))}"));
        }
        return string.Join(' ', parts);
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
