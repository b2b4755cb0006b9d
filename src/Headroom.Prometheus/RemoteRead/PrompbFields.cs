namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// Field numbers of the remote read and remote write messages (prometheus/prompb remote.proto and types.proto), one
/// table for the client's and the server's readers and writers, SAMPLES and streamed alike, and the remote write client.
/// </summary>
internal static class PrompbFields
{
    // prometheus.WriteRequest (remote write 1.0): its TimeSeries, Label and Sample are the ones below.
    public const int WriteRequestTimeseries = 1;

    public const int ReadRequestQueries = 1;
    public const int ReadRequestAcceptedResponseTypes = 2;
    public const int QueryStart = 1;
    public const int QueryEnd = 2;
    public const int QueryMatchers = 3;
    public const int QueryHints = 4;
    public const int MatcherType = 1;
    public const int MatcherName = 2;
    public const int MatcherValue = 3;
    public const int HintsStep = 1;
    public const int HintsFunction = 2;
    public const int HintsStart = 3;
    public const int HintsEnd = 4;
    public const int HintsGrouping = 5;
    public const int HintsBy = 6;
    public const int HintsRange = 7;
    public const int ReadResponseResults = 1;
    public const int QueryResultTimeseries = 1;
    public const int TimeSeriesLabels = 1;
    public const int TimeSeriesSamples = 2;
    public const int LabelName = 1;
    public const int LabelValue = 2;
    public const int SampleValue = 1;
    public const int SampleTimestamp = 2;

    // prometheus.ChunkedReadResponse, ChunkedSeries and Chunk (the STREAMED_XOR_CHUNKS answer).
    public const int ChunkedResponseSeries = 1;
    public const int ChunkedResponseQueryIndex = 2;
    public const int ChunkedSeriesLabels = 1;
    public const int ChunkedSeriesChunks = 2;
    public const int ChunkMinTime = 1;
    public const int ChunkMaxTime = 2;
    public const int ChunkType = 3;
    public const int ChunkData = 4;
    public const int EncodingXor = 1;
    public const int EncodingHistogram = 2;
    public const int EncodingFloatHistogram = 3;
}
