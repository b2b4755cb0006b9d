using System.Text.Json;

namespace Headroom.Lake.Query;

/// <summary>
/// What a query read, from DuckDB's profile: the partitions (files) each Parquet scan opened and their bytes. Athena
/// bills the bytes it scans, columns pruned, rounded up to 10 MB per query; the files' sizes are the upper bound
/// used here, so <see cref="AthenaUsd"/> is what the scan would cost at most.
/// </summary>
/// <param name="FilesRead">Files opened by the scans.</param>
/// <param name="FilesTotal">Files the scanned views cover.</param>
/// <param name="Partitions">The partitions read, in order.</param>
/// <param name="BytesRead">The sizes of the files read.</param>
public sealed record ScanReport(int FilesRead, int FilesTotal, IReadOnlyList<string> Partitions, long BytesRead)
{
    /// <summary>Athena's minimum billed scan per query: 10 MB.</summary>
    public const long AthenaMinimumBytes = 10_000_000;

    /// <summary>What Athena would bill for this scan at $5 per TB (10 MB minimum).</summary>
    public double AthenaUsd => Math.Max(BytesRead, AthenaMinimumBytes) / 1e12 * LakeQuery.AthenaUsdPerTerabyte;

    /// <summary>
    /// The report of the scans, each resolved to the files it opened and the files its view covers (a file read by two
    /// scans, a self-join, counts once).
    /// </summary>
    internal static ScanReport From(IReadOnlyList<(ParquetScan Scan, IReadOnlyList<string> Read, int Covered)> scans,
        IReadOnlyDictionary<string, (string Partition, long Bytes)> files)
    {
        var read = scans.SelectMany(s => s.Read).Where(files.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
        return new ScanReport(scans.Sum(s => s.Scan.FilesRead), scans.Sum(s => s.Covered),
            read.Select(f => files[f].Partition).Distinct(StringComparer.Ordinal).ToList(), read.Sum(f => files[f].Bytes));
    }

    /// <summary>The Parquet scans of a DuckDB JSON profile, as its <c>READ_PARQUET</c> operators describe them.</summary>
    internal static List<ParquetScan> Scans(string json)
    {
        using var document = JsonDocument.Parse(json);
        var scans = new List<ParquetScan>();
        Walk(document.RootElement);
        return scans;

        void Walk(JsonElement node)
        {
            if (node.TryGetProperty("extra_info", out var info) && info.ValueKind == JsonValueKind.Object
                && info.TryGetProperty("Function", out var function) && function.GetString() == "READ_PARQUET")
            {
                var filesRead = info.TryGetProperty("Total Files Read", out var count) && int.TryParse(count.GetString(), out var n) ? n : 0;
                int? scanning = info.TryGetProperty("Scanning Files", out var s) && s.GetString()?.Split('/') is [_, var total] && int.TryParse(total, out var t) ? t : null;
                var names = info.TryGetProperty("Filename(s)", out var list) && list.GetString() is { } text
                    ? text.Split(", ", StringSplitOptions.RemoveEmptyEntries)
                    : [];
                // DuckDB lists the first five files a scan opened and then "..." (a constant in its multi-file reader):
                // the rest are found from the scan's file list and its partition filters.
                var truncated = names.Length > 0 && names[^1] == "...";
                var filters = info.TryGetProperty("File Filters", out var f) ? f.GetString() : null;
                scans.Add(new ParquetScan(filesRead, scanning, [.. names.Where(x => x != "...")], truncated, filters));
            }
            if (node.TryGetProperty("children", out var children))
            {
                foreach (var child in children.EnumerateArray())
                    Walk(child);
            }
        }
    }

    /// <summary>
    /// The conditions of DuckDB's <c>File Filters</c> line, one per parenthesised group: <c>(date &gt;= '2026-10-02'::DATE)(account != 'x')</c>
    /// is two. Parentheses inside quotes do not count.
    /// </summary>
    internal static List<string> FilterConditions(string filters)
    {
        var conditions = new List<string>();
        var (depth, start, quoted) = (0, -1, false);
        for (var i = 0; i < filters.Length; i++)
        {
            var c = filters[i];
            if (c == '\'')
                quoted = !quoted;
            if (quoted)
                continue;
            if (c == '(' && depth++ == 0)
                start = i;
            else if (c == ')' && --depth == 0 && start >= 0)
                conditions.Add(filters[start..(i + 1)]);
        }
        return conditions;
    }
}

/// <summary>One Parquet scan of a query's profile.</summary>
/// <param name="FilesRead">Files it opened (DuckDB opens them in the order of its file list).</param>
/// <param name="FilesCovered">The files its view covers, as <c>Scanning Files</c> (pruned/all) says when partition filters pruned it.</param>
/// <param name="Listed">The files DuckDB names, the first five it opened.</param>
/// <param name="Truncated">DuckDB named only the first five.</param>
/// <param name="FileFilters">The partition filters that pruned its file list (<c>File Filters</c>), if any.</param>
internal sealed record ParquetScan(int FilesRead, int? FilesCovered, IReadOnlyList<string> Listed, bool Truncated, string? FileFilters);
