namespace Headroom.Servers;

public static partial class Promtool
{
    /// <summary>
    /// The largest block promtool makes (its block ranges grow 2h, 6h, 18h, 54h, 162h): fewer, larger
    /// blocks mean fewer passes over the input.
    /// </summary>
    public static readonly TimeSpan MaxBlockDuration = TimeSpan.FromHours(162);

    /// <summary>
    /// Backfills a Prometheus TSDB directory: <paramref name="write"/> writes an OpenMetrics history (ending with
    /// <c># EOF</c>) to the stream it is given, which goes to a temporary file beside <paramref name="tsdbDirectory"/>;
    /// <c>promtool tsdb create-blocks-from openmetrics</c> turns it into blocks of up to <see cref="MaxBlockDuration"/>
    /// there, and the file is deleted. Returns what <paramref name="write"/> returned (e.g. the counts it wrote).
    /// </summary>
    /// <exception cref="InvalidOperationException">promtool refused the history; the message holds its output.</exception>
    public static async Task<T> BackfillAsync<T>(Func<Stream, T> write, string tsdbDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var directory = Path.GetFullPath(tsdbDirectory);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(Path.GetDirectoryName(directory)!, $"{Path.GetFileName(directory)}-history-{Guid.NewGuid():N}.om");
        try
        {
            T written;
            var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            await using (stream.ConfigureAwait(false))
                written = await Task.Run(() => write(stream), cancellationToken).ConfigureAwait(false);
            var result = await CreateBlocksFromOpenMetricsAsync(file, directory, MaxBlockDuration, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
                throw new InvalidOperationException($"promtool could not create blocks from the history: {result.StandardError.Trim()}");
            return written;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
