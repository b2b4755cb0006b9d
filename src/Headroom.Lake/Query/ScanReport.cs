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

    internal static ScanReport FromProfile(string json, IReadOnlyDictionary<string, (string Partition, long Bytes)> files)
    {
        using var document = JsonDocument.Parse(json);
        var read = new List<string>();
        int filesRead = 0, filesTotal = 0;
        Walk(document.RootElement);
        var known = read.Where(files.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
        return new ScanReport(filesRead, filesTotal, known.Select(f => files[f].Partition).Distinct(StringComparer.Ordinal).ToList(), known.Sum(f => files[f].Bytes));

        void Walk(JsonElement node)
        {
            if (node.TryGetProperty("extra_info", out var info) && info.ValueKind == JsonValueKind.Object
                && info.TryGetProperty("Function", out var function) && function.GetString() == "READ_PARQUET")
            {
                if (info.TryGetProperty("Total Files Read", out var count) && int.TryParse(count.GetString(), out var n))
                    filesRead += n;
                if (info.TryGetProperty("Scanning Files", out var scanning) && scanning.GetString()?.Split('/') is [_, var total] && int.TryParse(total, out var t))
                    filesTotal += t;
                if (info.TryGetProperty("Filename(s)", out var names) && names.GetString() is { } list)
                    read.AddRange(list.Split(", ", StringSplitOptions.RemoveEmptyEntries));
            }
            if (node.TryGetProperty("children", out var children))
            {
                foreach (var child in children.EnumerateArray())
                    Walk(child);
            }
        }
    }
}
