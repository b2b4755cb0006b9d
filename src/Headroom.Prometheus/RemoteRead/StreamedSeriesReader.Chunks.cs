using System.Buffers;
using Google.Protobuf;
using Headroom.PromQL;
using static Headroom.Prometheus.RemoteRead.PrompbFields;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>Decoding a series' chunks into the point buffer, and handing out complete series.</summary>
internal sealed partial class StreamedSeriesReader
{
    private void ReadChunk(ReadOnlySpan<byte> message, long minT, long maxT)
    {
        long chunkMin = long.MinValue, chunkMax = long.MaxValue;
        var type = 0;
        var data = ReadOnlySpan<byte>.Empty;
        var reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case ChunkMinTime when wireType == WireFormat.WireType.Varint:
                    chunkMin = (long)reader.ReadVarint();
                    break;
                case ChunkMaxTime when wireType == WireFormat.WireType.Varint:
                    chunkMax = (long)reader.ReadVarint();
                    break;
                case ChunkType when wireType == WireFormat.WireType.Varint:
                    type = (int)reader.ReadVarint();
                    break;
                case ChunkData when wireType == WireFormat.WireType.LengthDelimited:
                    data = reader.ReadLengthDelimited();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        if (type is EncodingHistogram or EncodingFloatHistogram)
        {
            warnings?.Add($"remote read from {origin}: native histogram chunks of {_currentLabels.Name} were left out (Headroom reads float samples only)");
            return;
        }
        if (type != EncodingXor)
        {
            throw new InvalidDataException($"chunk of {_currentLabels} has encoding {type}, which is unknown (1 is XOR, 2 and 3 native histograms)");
        }
        // Prometheus sends whole chunks that overlap the query: the samples outside it are decoded and dropped.
        if (chunkMax < minT || chunkMin > maxT)
        {
            return;
        }
        var samples = XorChunk.SampleCount(data);
        if (_points.Length - _count < samples)
        {
            var grown = ArrayPool<FloatPoint>.Shared.Rent(Math.Max(_count + samples, _points.Length * 2));
            _points.AsSpan(0, _count).CopyTo(grown);
            ArrayPool<FloatPoint>.Shared.Return(_points);
            _points = grown;
        }
        int written;
        try
        {
            written = XorChunk.Decode(data, minT, maxT, _points.AsSpan(_count));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"XOR chunk [{chunkMin}, {chunkMax}] of {_currentLabels}: {e.Message}", e);
        }
        if (written > 0 && _count > 0 && _points[_count].T <= _points[_count - 1].T)
        {
            _unordered = true;
        }
        _count += written;
    }

    /// <summary>Queues the series being read, unless it has no samples in the query's range.</summary>
    private void Complete()
    {
        if (_count > 0)
        {
            var points = _points.AsSpan(0, _count);
            if (_unordered)
            {
                // Overlapping chunks (the boundary sample sent twice, or blocks that overlap): sort, keep one per time.
                points.Sort(static (a, b) => a.T.CompareTo(b.T));
                var kept = 1;
                for (var i = 1; i < points.Length; i++)
                {
                    if (points[i].T != points[kept - 1].T)
                    {
                        points[kept++] = points[i];
                    }
                }
                points = points[..kept];
            }
            _ready.Enqueue(new RemoteReadSeries(_currentQuery, new Series(_currentLabels, points.ToArray())));
        }
        _count = 0;
        _unordered = false;
        _currentQuery = -1;
        _currentKeyLength = 0;
    }
}
