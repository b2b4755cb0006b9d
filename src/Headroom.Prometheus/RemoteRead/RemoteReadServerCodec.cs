using Google.Protobuf;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using Snappier;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// The server side of remote read (<c>POST /api/v1/read</c>), for serving Headroom's data to Prometheus-compatible
/// readers: decodes a request, and writes either a SAMPLES answer or a STREAMED_XOR_CHUNKS stream. Transport
/// (status codes, headers, the response body) stays with the caller; <see cref="SamplesContentType"/> and
/// <see cref="StreamedContentType"/> name the Content-Type of each answer.
/// </summary>
public static partial class RemoteReadServerCodec
{
    /// <summary>Content-Type of a SAMPLES answer (sent with <c>Content-Encoding: snappy</c>).</summary>
    public const string SamplesContentType = "application/x-protobuf";

    /// <summary>Content-Type of a STREAMED_XOR_CHUNKS answer (not compressed: the chunks already are).</summary>
    public const string StreamedContentType = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";

    /// <summary>
    /// The largest decompressed request accepted. A request is matchers and times, a few hundred bytes per query;
    /// 32 MiB refuses a snappy bomb (a small body that claims gigabytes) before memory is taken for it.
    /// </summary>
    public const int MaxRequestBytes = 32 << 20;

    /// <summary>Decodes a request body: a snappy-compressed (block format) <c>prometheus.ReadRequest</c>.</summary>
    /// <param name="body">The HTTP request body as received.</param>
    /// <returns>The queries with their matchers, time range and hints, and the accepted answer shapes.</returns>
    /// <exception cref="RemoteReadException">
    /// The body is not snappy, too large, not a ReadRequest, or holds a matcher that cannot be used; the message says
    /// which, and <see cref="RemoteReadException.StatusCode"/> is 400 (answer it as a bad request).
    /// </exception>
    public static RemoteReadRequest DecodeRequest(ReadOnlySpan<byte> body)
    {
        byte[] payload;
        try
        {
            var length = Snappy.GetUncompressedLength(body);
            if (length > MaxRequestBytes)
            {
                throw BadRequest($"remote read request claims {length:N0} bytes uncompressed, over the limit of {MaxRequestBytes:N0}");
            }
            payload = Snappy.DecompressToArray(body);
        }
        catch (Exception e) when (e is InvalidDataException or OverflowException or ArgumentException or IndexOutOfRangeException)
        {
            // Snappier reports a garbage length header as an overflow and some corrupt blocks as bad arguments.
            throw BadRequest($"remote read request body is not snappy-compressed (block format): {e.Message}", e);
        }
        try
        {
            return ReadRequest(payload);
        }
        catch (InvalidDataException e)
        {
            throw BadRequest($"remote read request is not a prometheus.ReadRequest: {e.Message}", e);
        }
    }

    private static RemoteReadException BadRequest(string message, Exception? inner = null) =>
        inner is null ? new RemoteReadException(message, 400) : new RemoteReadException(message, inner, 400);
}
