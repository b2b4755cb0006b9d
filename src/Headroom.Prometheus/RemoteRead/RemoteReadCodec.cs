using Google.Protobuf;
using Headroom.PromQL;
using Headroom.PromQL.Syntax;
using static Headroom.Prometheus.RemoteRead.PrompbFields;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// The protobuf messages of Prometheus' remote read protocol (version 0.1.0): the client's request and the SAMPLES
/// response (streamed responses are read by <see cref="StreamedSeriesReader"/>), written and read
/// field by field with Google.Protobuf's coded streams. Hand-written rather than generated so that samples decode
/// straight into the engine's <see cref="FloatPoint"/> arrays, without an intermediate object per sample.
/// </summary>
internal static class RemoteReadCodec
{

    /// <summary>Encodes a ReadRequest that accepts the <paramref name="accepted"/> response types, preferred first.</summary>
    public static byte[] EncodeRequest(IReadOnlyList<RemoteReadQuery> queries, IReadOnlyList<RemoteReadResponseType> accepted)
    {
        return Message(output =>
        {
            foreach (var query in queries)
            {
                output.WriteTag(ReadRequestQueries, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(EncodeQuery(query)));
            }
            // A packed repeated enum, as proto3 writes it; a server older than the field ignores it and answers SAMPLES.
            output.WriteTag(ReadRequestAcceptedResponseTypes, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(Message(o =>
            {
                foreach (var type in accepted)
                {
                    o.WriteEnum((int)type);
                }
            })));
        });
    }

    private static byte[] EncodeQuery(RemoteReadQuery query) => Message(output =>
    {
        output.WriteTag(QueryStart, WireFormat.WireType.Varint);
        output.WriteInt64(query.StartMs);
        output.WriteTag(QueryEnd, WireFormat.WireType.Varint);
        output.WriteInt64(query.EndMs);
        foreach (var matcher in query.Matchers)
        {
            output.WriteTag(QueryMatchers, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(Message(o =>
            {
                if (matcher.Type != LabelMatchType.Equal)
                {
                    o.WriteTag(MatcherType, WireFormat.WireType.Varint);
                    o.WriteEnum(MatchType(matcher.Type));
                }
                o.WriteTag(MatcherName, WireFormat.WireType.LengthDelimited);
                o.WriteString(matcher.Name);
                o.WriteTag(MatcherValue, WireFormat.WireType.LengthDelimited);
                o.WriteString(matcher.Value);
            })));
        }
        if (query.Hints is { } hints)
        {
            output.WriteTag(QueryHints, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(Message(o =>
            {
                o.WriteTag(HintsStep, WireFormat.WireType.Varint);
                o.WriteInt64(hints.Step);
                if (hints.Function is { } function)
                {
                    o.WriteTag(HintsFunction, WireFormat.WireType.LengthDelimited);
                    o.WriteString(function);
                }
                o.WriteTag(HintsStart, WireFormat.WireType.Varint);
                o.WriteInt64(query.StartMs);
                o.WriteTag(HintsEnd, WireFormat.WireType.Varint);
                o.WriteInt64(query.EndMs);
                foreach (var label in hints.Grouping ?? [])
                {
                    o.WriteTag(HintsGrouping, WireFormat.WireType.LengthDelimited);
                    o.WriteString(label);
                }
                if (hints.By)
                {
                    o.WriteTag(HintsBy, WireFormat.WireType.Varint);
                    o.WriteBool(true);
                }
                o.WriteTag(HintsRange, WireFormat.WireType.Varint);
                o.WriteInt64(hints.Range);
            })));
        }
    });

    private static int MatchType(LabelMatchType type) => type switch
    {
        LabelMatchType.Equal => 0,
        LabelMatchType.NotEqual => 1,
        LabelMatchType.Regex => 2,
        LabelMatchType.NotRegex => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown matcher type"),
    };

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }
        return buffer.ToArray();
    }

    /// <summary>Decodes a ReadResponse: one list of series per query, in request order.</summary>
    /// <exception cref="InvalidDataException">The payload is not a ReadResponse.</exception>
    public static List<List<Series>> DecodeResponse(ReadOnlySpan<byte> payload)
    {
        var results = new List<List<Series>>();
        var reader = new ProtobufReader(payload);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == ReadResponseResults && wireType == WireFormat.WireType.LengthDelimited)
            {
                results.Add(ReadQueryResult(reader.ReadLengthDelimited()));
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        return results;
    }

    private static List<Series> ReadQueryResult(ReadOnlySpan<byte> message)
    {
        var series = new List<Series>();
        var labels = new List<Label>();
        var points = new List<FloatPoint>();
        var reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == QueryResultTimeseries && wireType == WireFormat.WireType.LengthDelimited)
            {
                labels.Clear();
                points.Clear();
                ReadTimeSeries(reader.ReadLengthDelimited(), labels, points);
                series.Add(new Series(Labels.From(labels), [.. points]));
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        return series;
    }

    /// <summary>Reads labels and float samples; native histogram samples and exemplars are skipped.</summary>
    private static void ReadTimeSeries(ReadOnlySpan<byte> message, List<Label> labels, List<FloatPoint> points)
    {
        var reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (wireType != WireFormat.WireType.LengthDelimited)
            {
                reader.Skip(wireType);
            }
            else if (field == TimeSeriesLabels)
            {
                labels.Add(ReadLabel(reader.ReadLengthDelimited()));
            }
            else if (field == TimeSeriesSamples)
            {
                points.Add(ReadSample(reader.ReadLengthDelimited()));
            }
            else
            {
                reader.Skip(wireType);
            }
        }
    }

    internal static Label ReadLabel(ReadOnlySpan<byte> message)
    {
        string name = "", value = "";
        var reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == LabelName && wireType == WireFormat.WireType.LengthDelimited)
            {
                name = reader.ReadString();
            }
            else if (field == LabelValue && wireType == WireFormat.WireType.LengthDelimited)
            {
                value = reader.ReadString();
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        return new Label(name, value);
    }

    private static FloatPoint ReadSample(ReadOnlySpan<byte> message)
    {
        // Prometheus writes every sample as value (tag 0x09, 8 bytes) then timestamp (tag 0x10, varint): read that
        // shape directly, and anything else field by field.
        if (message.Length > 10 && message[0] == 0x09 && message[9] == 0x10)
        {
            var fast = new ProtobufReader(message[10..]);
            var t = (long)fast.ReadVarint();
            if (fast.End)
            {
                return new FloatPoint(t, BitConverter.Int64BitsToDouble(System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(message[1..9])));
            }
        }
        double value = 0;
        long timestamp = 0;
        var reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == SampleValue && wireType == WireFormat.WireType.Fixed64)
            {
                value = reader.ReadDouble();
            }
            else if (field == SampleTimestamp && wireType == WireFormat.WireType.Varint)
            {
                timestamp = (long)reader.ReadVarint();
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        return new FloatPoint(timestamp, value);
    }
}
