namespace Headroom.Prometheus.RemoteRead;

/// <summary>The shapes of a remote read answer (<c>prometheus.ReadRequest.ResponseType</c>).</summary>
public enum RemoteReadResponseType
{
    /// <summary>
    /// One snappy-compressed <c>ReadResponse</c> with every sample as its own protobuf message; every server speaks it,
    /// and both ends hold the whole answer in memory.
    /// </summary>
    Samples = 0,

    /// <summary>
    /// A stream of CRC-checked frames, each a <c>ChunkedReadResponse</c> with (part of) one series as XOR-compressed
    /// chunks, sorted by labels per query (Prometheus 2.13 and later).
    /// </summary>
    StreamedXorChunks = 1,
}
