using Google.Protobuf;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using static Headroom.Prometheus.RemoteRead.PrompbFields;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>Reading the request's protobuf messages: queries, matchers, hints and accepted response types.</summary>
public static partial class RemoteReadServerCodec
{

    private static RemoteReadRequest ReadRequest(ReadOnlySpan<byte> payload)
    {
        var queries = new List<RemoteReadQuery>();
        var accepted = new List<RemoteReadResponseType>();
        var reader = new ProtobufReader(payload);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == ReadRequestQueries && wireType == WireFormat.WireType.LengthDelimited)
            {
                queries.Add(ReadQuery(reader.ReadLengthDelimited(), queries.Count));
            }
            else if (field == ReadRequestAcceptedResponseTypes && wireType == WireFormat.WireType.LengthDelimited)
            {
                // Packed (proto3's default); each element a varint.
                var packed = new ProtobufReader(reader.ReadLengthDelimited());
                while (!packed.End)
                {
                    AddResponseType(accepted, packed.ReadVarint());
                }
            }
            else if (field == ReadRequestAcceptedResponseTypes && wireType == WireFormat.WireType.Varint)
            {
                AddResponseType(accepted, reader.ReadVarint());
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        return new RemoteReadRequest(queries, accepted);
    }

    private static void AddResponseType(List<RemoteReadResponseType> accepted, ulong value)
    {
        // Types this codec cannot write are left out, so the first one left is the answer (Prometheus negotiates alike).
        if (value <= (ulong)RemoteReadResponseType.StreamedXorChunks)
        {
            accepted.Add((RemoteReadResponseType)value);
        }
    }

    private static RemoteReadQuery ReadQuery(ReadOnlySpan<byte> message, int index)
    {
        long start = 0, end = 0;
        var matchers = new List<LabelMatcher>();
        SelectHints? hints = null;
        var reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case QueryStart when wireType == WireFormat.WireType.Varint:
                    start = (long)reader.ReadVarint();
                    break;
                case QueryEnd when wireType == WireFormat.WireType.Varint:
                    end = (long)reader.ReadVarint();
                    break;
                case QueryMatchers when wireType == WireFormat.WireType.LengthDelimited:
                    matchers.Add(ReadMatcher(reader.ReadLengthDelimited(), index));
                    break;
                case QueryHints when wireType == WireFormat.WireType.LengthDelimited:
                    hints = ReadHints(reader.ReadLengthDelimited());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        return new RemoteReadQuery(matchers, start, end, hints);
    }

    private static LabelMatcher ReadMatcher(ReadOnlySpan<byte> message, int query)
    {
        ulong type = 0;
        string name = "", value = "";
        var reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case MatcherType when wireType == WireFormat.WireType.Varint:
                    type = reader.ReadVarint();
                    break;
                case MatcherName when wireType == WireFormat.WireType.LengthDelimited:
                    name = reader.ReadString();
                    break;
                case MatcherValue when wireType == WireFormat.WireType.LengthDelimited:
                    value = reader.ReadString();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        var matchType = type switch
        {
            0 => LabelMatchType.Equal,
            1 => LabelMatchType.NotEqual,
            2 => LabelMatchType.Regex,
            3 => LabelMatchType.NotRegex,
            _ => throw BadRequest($"query {query}: matcher on '{name}' has type {type}; 0 to 3 (=, !=, =~, !~) are known"),
        };
        try
        {
            return new LabelMatcher(matchType, name, value);
        }
        catch (ArgumentException e)
        {
            throw BadRequest($"query {query}: matcher on '{name}' has an invalid regular expression \"{value}\": {e.Message}", e);
        }
    }

    private static SelectHints ReadHints(ReadOnlySpan<byte> message)
    {
        long step = 0, range = 0;
        string? function = null;
        var grouping = new List<string>();
        var by = false;
        var reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case HintsStep when wireType == WireFormat.WireType.Varint:
                    step = (long)reader.ReadVarint();
                    break;
                case HintsFunction when wireType == WireFormat.WireType.LengthDelimited:
                    function = reader.ReadString();
                    break;
                case HintsGrouping when wireType == WireFormat.WireType.LengthDelimited:
                    grouping.Add(reader.ReadString());
                    break;
                case HintsBy when wireType == WireFormat.WireType.Varint:
                    by = reader.ReadVarint() != 0;
                    break;
                case HintsRange when wireType == WireFormat.WireType.Varint:
                    range = (long)reader.ReadVarint();
                    break;
                default:
                    // start_ms and end_ms repeat the query's range; SelectHints has no place for them.
                    reader.Skip(wireType);
                    break;
            }
        }
        return new SelectHints(step, string.IsNullOrEmpty(function) ? null : function, range, grouping.Count > 0 ? grouping : null, by);
    }
}
