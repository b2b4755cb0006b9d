using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Headroom.PromQL;

namespace Headroom.Gateway.Federation;

/// <summary>
/// A replica's <c>/api/v1/query_range</c> answer, read in one forward pass over its bytes. A pushed query's answer
/// can be large (histogram_quantile's inner <c>sum by (le, job)</c> is 200 series × 288 steps per shard in
/// bench/gateway.sh, 1.6 MB of JSON): a JsonDocument with a string per value took the gateway about as long as the
/// shard took to evaluate the query, where this reads the numbers straight from the bytes.
/// </summary>
internal sealed class QueryRangeAnswer
{
    /// <summary><c>status</c>: <c>success</c> or <c>error</c>.</summary>
    public string? Status { get; private set; }

    /// <summary><c>error</c>, on an error answer.</summary>
    public string? Error { get; private set; }

    /// <summary><c>data.resultType</c>.</summary>
    public string? ResultType { get; private set; }

    /// <summary>The answer's <c>warnings</c> and <c>infos</c>.</summary>
    public List<string> Messages { get; } = [];

    /// <summary>The matrix' series, in the answer's order.</summary>
    public List<Series> Series { get; } = [];

    /// <summary>Whether a series carried native histograms (which pushdown does not carry).</summary>
    public bool HasHistograms { get; private set; }

    /// <summary>Reads <paramref name="json"/>; throws <see cref="JsonException"/> when it is not a query answer's JSON.</summary>
    public static QueryRangeAnswer Read(ReadOnlySpan<byte> json)
    {
        var answer = new QueryRangeAnswer();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        Expect(ref reader, JsonTokenType.StartObject);
        while (Property(ref reader) is { } name)
        {
            switch (name)
            {
                case "status":
                    answer.Status = StringOrNull(ref reader);
                    break;
                case "error":
                    answer.Error = StringOrNull(ref reader);
                    break;
                case "warnings" or "infos":
                    answer.ReadMessages(ref reader);
                    break;
                case "data":
                    answer.ReadData(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return answer;
    }

    private void ReadMessages(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }
        Check(ref reader, JsonTokenType.StartArray);
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            Messages.Add(reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : "");
        }
    }

    private void ReadData(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }
        Check(ref reader, JsonTokenType.StartObject);
        while (Property(ref reader) is { } name)
        {
            switch (name)
            {
                case "resultType":
                    ResultType = StringOrNull(ref reader);
                    break;
                case "result" when reader.TokenType == JsonTokenType.StartArray && ResultType is null or "matrix":
                    while (Next(ref reader) != JsonTokenType.EndArray)
                    {
                        ReadSeries(ref reader);
                    }
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    private void ReadSeries(ref Utf8JsonReader reader)
    {
        Check(ref reader, JsonTokenType.StartObject);
        var labels = Labels.Empty;
        FloatPoint[] points = [];
        while (Property(ref reader) is { } name)
        {
            switch (name)
            {
                case "metric":
                    labels = ReadLabels(ref reader);
                    break;
                case "values":
                    points = ReadPoints(ref reader);
                    break;
                case "histograms":
                    HasHistograms = true;
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        Series.Add(new Series(labels, points));
    }

    private static Labels ReadLabels(ref Utf8JsonReader reader)
    {
        Check(ref reader, JsonTokenType.StartObject);
        var labels = new List<Label>();
        while (Property(ref reader) is { } name)
        {
            labels.Add(new Label(name, StringOrNull(ref reader) ?? ""));
        }
        return Labels.From(labels);
    }

    private static FloatPoint[] ReadPoints(ref Utf8JsonReader reader)
    {
        Check(ref reader, JsonTokenType.StartArray);
        var points = ArrayPool<FloatPoint>.Shared.Rent(512);
        var count = 0;
        try
        {
            while (Next(ref reader) != JsonTokenType.EndArray)
            {
                // [ <seconds with a fraction>, "<value>" ]
                Check(ref reader, JsonTokenType.StartArray);
                Expect(ref reader, JsonTokenType.Number);
                var t = Milliseconds(ref reader);
                Expect(ref reader, JsonTokenType.String);
                var f = Value(ref reader);
                Expect(ref reader, JsonTokenType.EndArray);
                if (count == points.Length)
                {
                    var grown = ArrayPool<FloatPoint>.Shared.Rent(points.Length * 2);
                    points.AsSpan(0, count).CopyTo(grown);
                    ArrayPool<FloatPoint>.Shared.Return(points);
                    points = grown;
                }
                points[count++] = new FloatPoint(t, f);
            }
            return points.AsSpan(0, count).ToArray();
        }
        finally
        {
            ArrayPool<FloatPoint>.Shared.Return(points);
        }
    }

    /// <summary>
    /// A timestamp in seconds with up to three decimals (how Prometheus writes them) as milliseconds, read as integers:
    /// a double parse per timestamp was a fifth of reading a pushed answer. Anything else goes through a double.
    /// </summary>
    private static long Milliseconds(ref Utf8JsonReader reader)
    {
        if (!reader.HasValueSequence)
        {
            var text = reader.ValueSpan;
            if (Utf8Parser.TryParse(text, out long seconds, out var consumed) && seconds is >= 0 and < long.MaxValue / 1000)
            {
                if (consumed == text.Length)
                {
                    return seconds * 1000;
                }
                var fraction = text[(consumed + 1)..];
                if (text[consumed] == (byte)'.' && fraction.Length is > 0 and <= 3 && Utf8Parser.TryParse(fraction, out uint digits, out var read) && read == fraction.Length)
                {
                    return seconds * 1000 + digits * (fraction.Length == 1 ? 100 : fraction.Length == 2 ? 10 : 1);
                }
            }
        }
        return (long)Math.Round(reader.GetDouble() * 1000);
    }

    /// <summary>A sample value as Prometheus writes it: a decimal, <c>+Inf</c>, <c>-Inf</c> or <c>NaN</c>, as a string.</summary>
    private static double Value(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return Value(reader.GetString());
        }
        var text = reader.ValueSpan;
        if (Utf8Parser.TryParse(text, out double value, out var consumed) && consumed == text.Length)
        {
            return value;
        }
        return text switch
        {
            _ when text.SequenceEqual("+Inf"u8) || text.SequenceEqual("Inf"u8) => double.PositiveInfinity,
            _ when text.SequenceEqual("-Inf"u8) => double.NegativeInfinity,
            _ when text.SequenceEqual("NaN"u8) => double.NaN,
            _ => throw new JsonException($"sample value {reader.GetString()} is not a number"),
        };
    }

    private static double Value(string? text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text ?? "", NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>The next property's name, the reader left on its value; null at the end of the object.</summary>
    private static string? Property(ref Utf8JsonReader reader)
    {
        if (Next(ref reader) == JsonTokenType.EndObject)
        {
            return null;
        }
        Check(ref reader, JsonTokenType.PropertyName);
        var name = reader.GetString();
        Next(ref reader);
        return name;
    }

    private static string? StringOrNull(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"expected a string, found {reader.TokenType}"),
    };

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("the answer ends early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        Next(ref reader);
        Check(ref reader, type);
    }

    private static void Check(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type)
        {
            throw new JsonException($"expected {type}, found {reader.TokenType} at byte {reader.TokenStartIndex}");
        }
    }
}
