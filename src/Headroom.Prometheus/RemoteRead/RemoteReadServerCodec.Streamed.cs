using Headroom.PromQL;

namespace Headroom.Prometheus.RemoteRead;

public static partial class RemoteReadServerCodec
{
    /// <summary>The default largest frame: Prometheus' <c>--storage.remote.read-max-bytes-in-frame</c> default, 1 MiB.</summary>
    public const int DefaultMaxBytesInFrame = 1 << 20;

    /// <summary>
    /// Writes the STREAMED_XOR_CHUNKS answer to one query as its series arrive: XOR chunks of at most 120 samples,
    /// frames of at most <paramref name="maxBytesInFrame"/> (a longer series continues in the next frames), each with a
    /// CRC-32C. Call it once per query, in request order, on the same <paramref name="output"/> (sent with
    /// <see cref="StreamedContentType"/>); frames are written every 64 KiB and the output is flushed at the end.
    /// </summary>
    /// <param name="output">The response body.</param>
    /// <param name="queryIndex">The query's position in the request.</param>
    /// <param name="series">
    /// The query's series, sorted by labels (readers rely on it) and each once, float samples ascending by time and
    /// already restricted to the query's range; series without float samples are left out, native histogram samples
    /// are not written.
    /// </param>
    /// <param name="maxBytesInFrame">The largest frame in bytes (a single chunk larger than this still gets its frame).</param>
    /// <param name="cancellationToken">Stops writing.</param>
    public static async Task WriteStreamedQueryAsync(Stream output, int queryIndex, IAsyncEnumerable<Series> series,
        int maxBytesInFrame = DefaultMaxBytesInFrame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfNegative(queryIndex);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytesInFrame, 1024);
        var writer = new StreamedResponseWriter(queryIndex, maxBytesInFrame);
        await foreach (var one in series.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            writer.Start(one);
            while (writer.NextFrame())
            {
                if (writer.Pending.Length >= StreamedResponseWriter.FlushBytes)
                {
                    await output.WriteAsync(writer.Pending, cancellationToken).ConfigureAwait(false);
                    writer.ClearPending();
                }
            }
        }
        if (writer.Pending.Length > 0)
        {
            await output.WriteAsync(writer.Pending, cancellationToken).ConfigureAwait(false);
            writer.ClearPending();
        }
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
