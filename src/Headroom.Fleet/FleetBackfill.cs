using Headroom.Harness;

namespace Headroom.Fleet;

/// <summary>Puts a fleet's history into a Prometheus TSDB directory: OpenMetrics text, then promtool's blocks.</summary>
public static class FleetBackfill
{
    /// <summary>
    /// The largest block promtool makes (its block ranges grow 2h, 6h, 18h, 54h, 162h): fewer, larger
    /// blocks mean fewer passes over the input.
    /// </summary>
    public static readonly TimeSpan MaxBlockDuration = TimeSpan.FromHours(162);

    /// <summary>
    /// Writes the history to a temporary file beside <paramref name="tsdbDirectory"/>, turns it into blocks
    /// there with <c>promtool tsdb create-blocks-from openmetrics</c>, and deletes the file.
    /// </summary>
    /// <exception cref="InvalidOperationException">promtool refused the history; the message holds its output.</exception>
    public static Task<HistoryStats> CreateBlocksAsync(SimulatedFleet fleet, HistoryOptions history, string tsdbDirectory,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return CreateBlocksAsync(stream => FleetHistory.Write(fleet, history, stream, progress, cancellationToken), tsdbDirectory, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="CreateBlocksAsync(SimulatedFleet, HistoryOptions, string, IProgress{double}, CancellationToken)"/>
    /// for any OpenMetrics history: <paramref name="write"/> writes it to the stream it is given.
    /// </summary>
    public static async Task<HistoryStats> CreateBlocksAsync(Func<Stream, HistoryStats> write, string tsdbDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var directory = Path.GetFullPath(tsdbDirectory);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(Path.GetDirectoryName(directory)!, $"{Path.GetFileName(directory)}-history-{Guid.NewGuid():N}.om");
        try
        {
            HistoryStats stats;
            await using (var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                stats = await Task.Run(() => write(stream), cancellationToken).ConfigureAwait(false);
            var result = await Promtool.CreateBlocksFromOpenMetricsAsync(file, directory, MaxBlockDuration, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
                throw new InvalidOperationException($"promtool could not create blocks from the history: {result.StandardError.Trim()}");
            return stats;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
