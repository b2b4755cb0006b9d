using Google.Protobuf;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;

namespace Headroom.Prometheus.RemoteWrite;

/// <summary>One series of a remote write request: its labels (sorted, <c>__name__</c> among them) and samples in time order.</summary>
/// <param name="Labels">The series' labels.</param>
/// <param name="Samples">Its samples, oldest first; staleness markers are sent as they are.</param>
public sealed record WriteSeries(Labels Labels, IReadOnlyList<FloatPoint> Samples);

/// <summary>
/// Encodes and decodes <c>prometheus.WriteRequest</c> (remote write 1.0) without snappy. The request is measured first
/// and written once into an array of its exact size (the remote read server's encoders work the same way).
/// </summary>
public static class WriteRequestCodec
{
    /// <summary>The protobuf bytes of a WriteRequest holding <paramref name="series"/>.</summary>
    public static byte[] Encode(IReadOnlyList<WriteSeries> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var sizes = new int[series.Count];
        var total = 0;
        for (var i = 0; i < series.Count; i++)
        {
            sizes[i] = SeriesSize(series[i]);
            total += ProtobufWriter.DelimitedSize(sizes[i]);
        }
        var buffer = new byte[total];
        var writer = new ProtobufWriter(buffer);
        for (var i = 0; i < series.Count; i++)
        {
            writer.WriteTag(PrompbFields.WriteRequestTimeseries, WireFormat.WireType.LengthDelimited);
            writer.WriteVarint((ulong)sizes[i]);
            foreach (var label in series[i].Labels)
            {
                writer.WriteTag(PrompbFields.TimeSeriesLabels, WireFormat.WireType.LengthDelimited);
                writer.WriteVarint((ulong)ProtobufWriter.LabelSize(label));
                writer.WriteTag(PrompbFields.LabelName, WireFormat.WireType.LengthDelimited);
                writer.WriteString(label.Name);
                writer.WriteTag(PrompbFields.LabelValue, WireFormat.WireType.LengthDelimited);
                writer.WriteString(label.Value);
            }
            foreach (var sample in series[i].Samples)
            {
                writer.WriteTag(PrompbFields.TimeSeriesSamples, WireFormat.WireType.LengthDelimited);
                writer.WriteVarint((ulong)SampleSize(sample));
                writer.WriteTag(PrompbFields.SampleValue, WireFormat.WireType.Fixed64);
                writer.WriteDouble(sample.F);
                writer.WriteTag(PrompbFields.SampleTimestamp, WireFormat.WireType.Varint);
                writer.WriteVarint((ulong)sample.T);
            }
        }
        return writer.Position == total ? buffer : throw new InvalidOperationException($"wrote {writer.Position} bytes of a {total}-byte request");
    }

    /// <summary>Reads a WriteRequest back (a receiver's view; used by tests and fakes). Metadata and histograms are skipped.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a WriteRequest.</exception>
    public static IReadOnlyList<WriteSeries> Decode(ReadOnlySpan<byte> request)
    {
        var result = new List<WriteSeries>();
        try
        {
            var reader = new ProtobufReader(request);
            while (reader.TryReadTag(out var field, out var wireType))
            {
                if (field == PrompbFields.WriteRequestTimeseries && wireType == WireFormat.WireType.LengthDelimited)
                    result.Add(DecodeSeries(reader.ReadLengthDelimited()));
                else
                    reader.Skip(wireType);
            }
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidProtocolBufferException)
        {
            throw new InvalidDataException("not a remote write request: " + e.Message, e);
        }
        return result;
    }

    private static WriteSeries DecodeSeries(ReadOnlySpan<byte> bytes)
    {
        var labels = new List<Label>();
        var samples = new List<FloatPoint>();
        var reader = new ProtobufReader(bytes);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == PrompbFields.TimeSeriesLabels && wireType == WireFormat.WireType.LengthDelimited)
            {
                var label = new ProtobufReader(reader.ReadLengthDelimited());
                string name = "", value = "";
                while (label.TryReadTag(out var f, out var w))
                {
                    if (f == PrompbFields.LabelName)
                        name = label.ReadString();
                    else if (f == PrompbFields.LabelValue)
                        value = label.ReadString();
                    else
                        label.Skip(w);
                }
                labels.Add(new Label(name, value));
            }
            else if (field == PrompbFields.TimeSeriesSamples && wireType == WireFormat.WireType.LengthDelimited)
            {
                var sample = new ProtobufReader(reader.ReadLengthDelimited());
                double value = 0;
                long time = 0;
                while (sample.TryReadTag(out var f, out var w))
                {
                    if (f == PrompbFields.SampleValue && w == WireFormat.WireType.Fixed64)
                        value = sample.ReadDouble();
                    else if (f == PrompbFields.SampleTimestamp && w == WireFormat.WireType.Varint)
                        time = (long)sample.ReadVarint();
                    else
                        sample.Skip(w);
                }
                samples.Add(new FloatPoint(time, value));
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        return new WriteSeries(Labels.From(labels), samples);
    }

    private static int SeriesSize(WriteSeries series)
    {
        var size = 0;
        foreach (var label in series.Labels)
            size += ProtobufWriter.DelimitedSize(ProtobufWriter.LabelSize(label));
        foreach (var sample in series.Samples)
            size += ProtobufWriter.DelimitedSize(SampleSize(sample));
        return size;
    }

    // Tag + 8 bytes of the double, tag + varint of the timestamp (a negative one takes 10 bytes, as protobuf's int64 does).
    private static int SampleSize(FloatPoint sample) => 1 + 8 + 1 + ProtobufWriter.VarintSize((ulong)sample.T);
}
