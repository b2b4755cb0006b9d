using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using static Headroom.Prometheus.RemoteRead.PrompbFields;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// Turns the frames of a STREAMED_XOR_CHUNKS answer into whole series. A frame holds (part of) one series: its labels
/// and some of its chunks; a series longer than a frame continues in the next frames with the same labels and query
/// index, so a series is complete when a frame with other labels (or the end) arrives. Samples are decoded straight
/// from the frame into one pooled point buffer and copied once, at their exact count, into the series.
/// </summary>
internal sealed partial class StreamedSeriesReader(Stream stream, IReadOnlyList<RemoteReadQuery> queries, string origin, SourceWarnings? warnings)
    : IDisposable
{

    private readonly ChunkedFrameReader _frames = new(stream);
    private readonly Queue<RemoteReadSeries> _ready = new();
    private readonly ArrayBufferWriter<byte> _key = new(256);
    private byte[] _currentKey = new byte[256];
    private int _currentKeyLength;
    private int _currentQuery = -1;
    private Labels _currentLabels = Labels.Empty;
    private FloatPoint[] _points = ArrayPool<FloatPoint>.Shared.Rent(1024);
    private int _count;
    private bool _unordered;
    private bool _done;

    /// <summary>The next complete series; null at the end of the answer.</summary>
    /// <exception cref="RemoteReadException">The stream is broken, or a frame is not a ChunkedReadResponse.</exception>
    public async ValueTask<RemoteReadSeries?> NextAsync(CancellationToken cancellationToken)
    {
        while (_ready.Count == 0 && !_done)
        {
            bool more;
            try
            {
                more = await _frames.MoveNextAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new RemoteReadException($"remote read from {origin}: {e.Message}", e);
            }
            if (more)
            {
                try
                {
                    ReadFrame(_frames.Current.Span);
                }
                catch (InvalidDataException e)
                {
                    throw new RemoteReadException($"remote read from {origin}: frame {_frames.Frames} is not a ChunkedReadResponse: {e.Message}", e);
                }
            }
            else
            {
                Complete();
                _done = true;
            }
        }
        return _ready.Count > 0 ? _ready.Dequeue() : null;
    }

    private void ReadFrame(ReadOnlySpan<byte> frame)
    {
        // query_index follows the series in Prometheus' encoding: find it first.
        long queryIndex = 0;
        var reader = new ProtobufReader(frame);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == ChunkedResponseQueryIndex && wireType == WireFormat.WireType.Varint)
            {
                queryIndex = (long)reader.ReadVarint();
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        if (queryIndex < 0 || queryIndex >= queries.Count)
        {
            throw new InvalidDataException($"query index {queryIndex} is outside the {queries.Count} queries sent");
        }
        reader = new ProtobufReader(frame);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == ChunkedResponseSeries && wireType == WireFormat.WireType.LengthDelimited)
            {
                ReadSeries(reader.ReadLengthDelimited(), (int)queryIndex);
            }
            else
            {
                reader.Skip(wireType);
            }
        }
    }

    private void ReadSeries(ReadOnlySpan<byte> message, int queryIndex)
    {
        // The labels' wire bytes identify the series: a continuation frame repeats them exactly, so they are
        // compared as bytes and decoded to strings only for a new series.
        _key.ResetWrittenCount();
        var reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == ChunkedSeriesLabels && wireType == WireFormat.WireType.LengthDelimited)
            {
                var label = reader.ReadLengthDelimited();
                BinaryPrimitives.WriteInt32LittleEndian(_key.GetSpan(4), label.Length);
                _key.Advance(4);
                _key.Write(label);
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        if (queryIndex != _currentQuery || !_key.WrittenSpan.SequenceEqual(_currentKey.AsSpan(0, _currentKeyLength)))
        {
            Complete();
            StartSeries(message, queryIndex);
        }
        var query = queries[queryIndex];
        reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == ChunkedSeriesChunks && wireType == WireFormat.WireType.LengthDelimited)
            {
                ReadChunk(reader.ReadLengthDelimited(), query.StartMs, query.EndMs);
            }
            else
            {
                reader.Skip(wireType);
            }
        }
    }

    private void StartSeries(ReadOnlySpan<byte> message, int queryIndex)
    {
        if (_currentKey.Length < _key.WrittenCount)
        {
            _currentKey = new byte[_key.WrittenCount * 2];
        }
        _key.WrittenSpan.CopyTo(_currentKey);
        _currentKeyLength = _key.WrittenCount;
        _currentQuery = queryIndex;
        var labels = new List<Label>();
        var reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == ChunkedSeriesLabels && wireType == WireFormat.WireType.LengthDelimited)
            {
                labels.Add(RemoteReadCodec.ReadLabel(reader.ReadLengthDelimited()));
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        _currentLabels = Labels.From(labels);
    }

    public void Dispose()
    {
        _frames.Dispose();
        if (_points.Length > 0)
        {
            ArrayPool<FloatPoint>.Shared.Return(_points);
            _points = [];
        }
    }
}
