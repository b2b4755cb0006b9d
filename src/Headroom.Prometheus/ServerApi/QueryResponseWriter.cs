using System.Text.Json;
using Headroom.Prometheus.Exposition;
using Headroom.PromQL;
using Headroom.PromQL.Engine;

namespace Headroom.Prometheus.ServerApi;

/// <summary>
/// Writes an engine result as the JSON body of Prometheus' <c>/api/v1/query</c> and <c>/api/v1/query_range</c>:
/// <c>{"status":"success","data":{"resultType":…,"result":…},"warnings":[…],"infos":[…]}</c>, values as
/// <c>[seconds, "value"]</c>, warnings and infos only when there are some.
/// </summary>
public static class QueryResponseWriter
{
    /// <summary>
    /// JSON as Prometheus writes it: label values such as <c>+Inf</c> stay as they are, not <c>\u002BInf</c> as the default
    /// HTML-safe encoder would write them. The body is served as application/json, never embedded in HTML.
    /// </summary>
    public static JsonWriterOptions Options { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/> as compact UTF-8 JSON.</summary>
    public static void Write(Stream output, QueryResult result) => Write(output, result, null);

    /// <summary>
    /// Writes <paramref name="result"/> to <paramref name="output"/> as compact UTF-8 JSON, with
    /// <c>data.stats</c> written by <paramref name="stats"/> (where Prometheus puts the statistics a request asks
    /// for with <c>stats=…</c>); without it the body is exactly as <see cref="Write(Stream, QueryResult)"/> writes it.
    /// </summary>
    public static void Write(Stream output, QueryResult result, Action<Utf8JsonWriter>? stats)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var json = new Utf8JsonWriter(output, Options);
        foreach (var _ in Parts(json, result, stats))
        {
        }
    }

    /// <summary>
    /// Writes <paramref name="result"/> as <see cref="Write(Stream, QueryResult, Action{Utf8JsonWriter})"/> does, handing
    /// the bytes to <paramref name="output"/> every <see cref="FlushBytes"/> bytes: a range answer goes out while it is
    /// written instead of growing whole in memory first (a day of 1,000 series at a 5 minute step is 10 MB of JSON, which
    /// a buffer grown by doubling held twice over, in large-object heap arrays only a full collection frees).
    /// </summary>
    public static async Task WriteAsync(Stream output, QueryResult result, Action<Utf8JsonWriter>? stats, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var json = new Utf8JsonWriter(output, Options);
        await using (json.ConfigureAwait(false))
        {
            foreach (var _ in Parts(json, result, stats))
            {
                if (json.BytesPending >= FlushBytes)
                {
                    await json.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// How much <see cref="WriteAsync"/> holds before handing it on: above the 80 KB where .NET puts arrays on the
    /// large-object heap would defeat the point, and far below it makes a write per series.
    /// </summary>
    private const int FlushBytes = 32 * 1024;

    /// <summary>Writes the answer, pausing after every series or sample so that the caller may flush.</summary>
    private static IEnumerable<int> Parts(Utf8JsonWriter json, QueryResult result, Action<Utf8JsonWriter>? stats)
    {
        json.WriteStartObject();
        json.WriteString("status", "success");
        json.WritePropertyName("data");
        json.WriteStartObject();
        switch (result.Value)
        {
            case ScalarResult scalar:
                json.WriteString("resultType", "scalar");
                json.WritePropertyName("result");
                ScalarPoint(json, scalar.T, PromValueFormat.ScalarValue(scalar.Value));
                break;
            case StringResult text:
                json.WriteString("resultType", "string");
                json.WritePropertyName("result");
                ScalarPoint(json, text.T, text.Value);
                break;
            case VectorResult vector:
                json.WriteString("resultType", "vector");
                json.WriteStartArray("result");
                foreach (var sample in vector.Samples)
                {
                    json.WriteStartObject();
                    Metric(json, sample.Labels);
                    json.WritePropertyName("value");
                    Point(json, sample.T, sample.F);
                    json.WriteEndObject();
                    yield return 0;
                }
                json.WriteEndArray();
                break;
            case MatrixResult matrix:
                json.WriteString("resultType", "matrix");
                json.WriteStartArray("result");
                foreach (var series in matrix.Series)
                {
                    json.WriteStartObject();
                    Metric(json, series.Labels);
                    json.WriteStartArray("values");
                    foreach (var point in series.Points)
                        Point(json, point.T, point.F);
                    json.WriteEndArray();
                    json.WriteEndObject();
                    yield return 0;
                }
                json.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"unknown result type {result.Value.GetType().Name}", nameof(result));
        }
        if (stats is not null)
        {
            json.WritePropertyName("stats");
            stats(json);
        }
        json.WriteEndObject();
        Strings(json, "warnings", result.Annotations.Warnings);
        Strings(json, "infos", result.Annotations.Infos);
        json.WriteEndObject();
    }

    /// <summary>Writes <paramref name="result"/> as a JSON string.</summary>
    public static string ToJson(QueryResult result)
    {
        using var buffer = new MemoryStream();
        Write(buffer, result);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void Metric(Utf8JsonWriter json, Labels labels)
    {
        json.WriteStartObject("metric");
        foreach (var label in labels)
            json.WriteString(label.Name, label.Value);
        json.WriteEndObject();
    }

    /// <summary>
    /// A scalar or string answer's <c>[seconds,"value"]</c>: Prometheus writes these through Go's own JSON encoder, with
    /// the time's trailing zeros dropped, where samples of vectors and matrices keep three decimals.
    /// </summary>
    private static void ScalarPoint(Utf8JsonWriter json, long t, string value)
    {
        json.WriteStartArray();
        Span<byte> seconds = stackalloc byte[NumberText.MaxLength];
        json.WriteRawValue(seconds[..NumberText.FormatSeconds(t, seconds)], skipInputValidation: true);
        json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static void Point(Utf8JsonWriter json, long t, string value)
    {
        json.WriteStartArray();
        Span<byte> seconds = stackalloc byte[NumberText.MaxLength];
        json.WriteRawValue(seconds[..NumberText.FormatSeconds(t, seconds, threeDigits: true)], skipInputValidation: true);
        json.WriteStringValue(value);
        json.WriteEndArray();
    }

    /// <summary>
    /// A sample as <c>[seconds,"value"]</c>, formatted straight into UTF-8 bytes and written as one raw value: a range
    /// answer of 287,000 values made two strings and four writer calls per value before, and took 0.13 s of CPU to
    /// write where this takes about half.
    /// </summary>
    private static void Point(Utf8JsonWriter json, long t, double value)
    {
        // '[' seconds ',' '"' value '"' ']'; an exponent spelled out (1e308 is 309 digits) takes the long way.
        Span<byte> text = stackalloc byte[2 * NumberText.MaxLength + 8];
        var n = 0;
        text[n++] = (byte)'[';
        n += NumberText.FormatSeconds(t, text[n..], threeDigits: true);
        text[n++] = (byte)',';
        text[n++] = (byte)'"';
        var length = NumberText.FormatValue(value, text[n..]);
        if (text.Slice(n, length).Contains((byte)'E'))
        {
            // Magnitudes from 1e15 or below 1e-4 (.NET's exponent form; Prometheus' differs): rare, through a string.
            Point(json, t, PromValueFormat.Value(value));
            return;
        }
        n += length;
        text[n++] = (byte)'"';
        text[n++] = (byte)']';
        // Digits, '.', '-', "+Inf" and "NaN" need no escaping.
        json.WriteRawValue(text[..n], skipInputValidation: true);
    }

    private static void Strings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
            return;
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
