using System.Text.Json;

namespace Headroom.Servers;

/// <summary>
/// What TSDB blocks hold, from their <c>meta.json</c>: samples and the first and last sample time. A block's
/// <c>maxTime</c> is one millisecond past its last sample (Prometheus' block writer sets it so).
/// </summary>
/// <param name="Blocks">The blocks read.</param>
/// <param name="Samples">Their samples, all series together.</param>
/// <param name="First">The first sample's time; default when there is no sample.</param>
/// <param name="Last">The last sample's time; default when there is no sample.</param>
public sealed record BlockSummary(int Blocks, long Samples, DateTimeOffset First, DateTimeOffset Last)
{
    /// <summary>Sums the blocks in <paramref name="directories"/>; a folder without <c>meta.json</c> is not a block and is left out.</summary>
    /// <exception cref="InvalidDataException">A <c>meta.json</c> does not read as a block's.</exception>
    public static BlockSummary Read(IEnumerable<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var (blocks, samples, first, last) = (0, 0L, long.MaxValue, long.MinValue);
        foreach (var directory in directories)
        {
            var meta = Path.Combine(directory, "meta.json");
            if (!File.Exists(meta))
                continue;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(meta));
                var root = document.RootElement;
                var stats = root.GetProperty("stats");
                var count = stats.TryGetProperty("numSamples", out var n) ? n.GetInt64() : 0;
                blocks++;
                samples += count;
                if (count == 0)
                    continue;
                first = Math.Min(first, root.GetProperty("minTime").GetInt64());
                last = Math.Max(last, root.GetProperty("maxTime").GetInt64() - 1);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{meta} is not a TSDB block's meta.json ({e.Message}); promtool wrote something unexpected");
            }
        }
        return samples == 0
            ? new BlockSummary(blocks, 0, default, default)
            : new BlockSummary(blocks, samples, DateTimeOffset.FromUnixTimeMilliseconds(first), DateTimeOffset.FromUnixTimeMilliseconds(last));
    }
}
