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

    /// <summary>
    /// Records the recording rules in <paramref name="ruleFiles"/> over what a Prometheus TSDB directory holds from
    /// <paramref name="start"/> to <paramref name="end"/>: a Prometheus started over the directory for the purpose
    /// answers <c>promtool tsdb create-blocks-from rules</c>, and the blocks promtool writes join the raw ones in the
    /// directory. No other Prometheus may use the directory meanwhile. Returns what the new blocks hold.
    /// </summary>
    /// <exception cref="InvalidOperationException">promtool could not record the rules; the message holds its output.</exception>
    /// <exception cref="ServerStartException">The Prometheus over the directory did not start.</exception>
    public static async Task<BlockSummary> BackfillRulesAsync(
        string tsdbDirectory, DateTimeOffset start, DateTimeOffset end, IEnumerable<string> ruleFiles, CancellationToken cancellationToken = default)
    {
        var directory = Path.GetFullPath(tsdbDirectory);
        var recorded = Path.Combine(Path.GetDirectoryName(directory)!, $"{Path.GetFileName(directory)}-rules-{Guid.NewGuid():N}");
        try
        {
            // A long retention: the default 30d would let this Prometheus delete the older blocks of a 30-day history.
            var source = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = directory, ScrapeSelf = false, Retention = "3650d" }, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var result = await CreateBlocksFromRulesAsync(source.BaseUri, start, end, recorded, ruleFiles, cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                    throw new InvalidOperationException($"promtool could not record the rules: {(result.StandardError + result.StandardOutput).Trim()}");
            }
            var blocks = Directory.Exists(recorded) ? Directory.GetDirectories(recorded) : [];
            var written = BlockSummary.Read(blocks);
            foreach (var block in blocks)
                Directory.Move(block, Path.Combine(directory, Path.GetFileName(block)));
            return written;
        }
        finally
        {
            if (Directory.Exists(recorded))
                Directory.Delete(recorded, recursive: true);
        }
    }
}
