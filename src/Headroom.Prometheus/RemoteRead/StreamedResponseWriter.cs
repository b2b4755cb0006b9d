using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Headroom.PromQL;
using static Headroom.Prometheus.RemoteRead.PrompbFields;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// Writes one query's series as STREAMED_XOR_CHUNKS frames: each series cut into XOR chunks of at most 120 samples,
/// the chunks packed into frames of at most <c>maxBytesInFrame</c> (a long series spans frames, each repeating its
/// labels, as Prometheus does), each frame a <c>ChunkedReadResponse</c> behind a uvarint length and a CRC-32C.
/// Frames collect in a buffer that the caller flushes to the network every <see cref="FlushBytes"/>.
/// </summary>
internal sealed class StreamedResponseWriter(int queryIndex, int maxBytesInFrame)
{
    /// <summary>
    /// Bytes of frames gathered before a write to the response. A series of a day at 15 s is 48 chunks, about 8 KB;
    /// writing each frame alone would be a socket write per series, 64 KiB keeps the reader a few series behind at most.
    /// </summary>
    public const int FlushBytes = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _pending = new(FlushBytes * 2);
    private readonly ArrayBufferWriter<byte> _labels = new(256);
    private readonly ArrayBufferWriter<byte> _chunks = new(16 * 1024);
    private readonly byte[] _chunk = new byte[XorChunk.MaxEncodedLength(XorChunk.SamplesPerChunk)];
    private FloatPoint[] _points = [];
    private int _next;

    /// <summary>The frames gathered and not yet written.</summary>
    public ReadOnlyMemory<byte> Pending => _pending.WrittenMemory;

    public void ClearPending() => _pending.ResetWrittenCount();

    /// <summary>Starts a series; its float samples must ascend by time. Native histogram samples are not written.</summary>
    public void Start(Series series)
    {
        _points = series.Points;
        _next = 0;
        _labels.ResetWrittenCount();
        var size = RemoteReadServerCodec.LabelsSize(series.Labels);
        var writer = new ProtobufWriter(_labels.GetSpan(size));
        RemoteReadServerCodec.WriteLabels(ref writer, series.Labels, ChunkedSeriesLabels);
        _labels.Advance(size);
    }

    /// <summary>Encodes the next frame of the series into <see cref="Pending"/>; false when the series is done.</summary>
    public bool NextFrame()
    {
        if (_next >= _points.Length)
        {
            return false;
        }
        _chunks.ResetWrittenCount();
        while (_next < _points.Length)
        {
            var count = Math.Min(XorChunk.SamplesPerChunk, _points.Length - _next);
            var slice = _points.AsSpan(_next, count);
            var length = XorChunk.Encode(slice, _chunk);
            // prometheus.Chunk: min_time_ms 1, max_time_ms 2, type 3 (XOR = 1), data 4.
            var body = 1 + ProtobufWriter.VarintSize((ulong)slice[0].T) + 1 + ProtobufWriter.VarintSize((ulong)slice[^1].T)
                + 2 + ProtobufWriter.DelimitedSize(length);
            var message = ProtobufWriter.DelimitedSize(body);
            // Cut before a chunk that would overflow the frame; a frame always takes one chunk, however large.
            if (_chunks.WrittenCount > 0 && _labels.WrittenCount + _chunks.WrittenCount + message > maxBytesInFrame)
            {
                break;
            }
            var writer = new ProtobufWriter(_chunks.GetSpan(message));
            writer.WriteTag(ChunkedSeriesChunks, WireFormat.WireType.LengthDelimited);
            writer.WriteVarint((ulong)body);
            writer.WriteTag(1, WireFormat.WireType.Varint);
            writer.WriteVarint((ulong)slice[0].T);
            writer.WriteTag(2, WireFormat.WireType.Varint);
            writer.WriteVarint((ulong)slice[^1].T);
            writer.WriteTag(3, WireFormat.WireType.Varint);
            writer.WriteVarint(EncodingXor);
            writer.WriteTag(4, WireFormat.WireType.LengthDelimited);
            writer.WriteBytes(_chunk.AsSpan(0, length));
            _chunks.Advance(message);
            _next += count;
        }
        WriteFrame();
        return true;
    }

    private void WriteFrame()
    {
        var series = _labels.WrittenCount + _chunks.WrittenCount;
        // query_index 0 is proto3's default and left out, as Prometheus' encoder does.
        var size = ProtobufWriter.DelimitedSize(series) + (queryIndex == 0 ? 0 : 1 + ProtobufWriter.VarintSize((ulong)queryIndex));
        var header = ProtobufWriter.VarintSize((ulong)size) + 4;
        var span = _pending.GetSpan(header + size);
        var frame = span.Slice(header, size);
        var writer = new ProtobufWriter(frame);
        writer.WriteTag(ChunkedResponseSeries, WireFormat.WireType.LengthDelimited);
        writer.WriteVarint((ulong)series);
        writer.WriteRaw(_labels.WrittenSpan);
        writer.WriteRaw(_chunks.WrittenSpan);
        if (queryIndex != 0)
        {
            writer.WriteTag(ChunkedResponseQueryIndex, WireFormat.WireType.Varint);
            writer.WriteVarint((ulong)queryIndex);
        }
        var prefix = new ProtobufWriter(span);
        prefix.WriteVarint((ulong)size);
        BinaryPrimitives.WriteUInt32BigEndian(span[prefix.Position..], Crc32C.Compute(frame));
        _pending.Advance(header + size);
    }
}
