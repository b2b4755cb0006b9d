using System.Globalization;
using System.Text.Json;

namespace Headroom.Benchmarks;

/// <summary>
/// Compares two <c>/api/v1/query_range</c> answers as the gateway's agreement tests do: the same series (by their
/// full label sets), the same timestamps, and values equal within a relative 1e-6 (the gateway adds partial sums in
/// another order than Prometheus; NaN equals NaN).
/// </summary>
internal static class GatewayAnswers
{
    private const double Tolerance = 1e-6;

    /// <summary>The outcome of one comparison: values compared, and the first difference found (null when none).</summary>
    public readonly record struct Agreement(int Series, long Values, string? Difference)
    {
        public bool Same => Difference is null;

        public override string ToString() => Same
            ? string.Create(CultureInfo.InvariantCulture, $"yes ({Series:N0} series, {Values:N0} values)")
            : "**no**: " + Difference;
    }

    public static Agreement Compare(string expectedBody, string actualBody)
    {
        var want = Matrix(expectedBody);
        var got = Matrix(actualBody);
        if (want.Keys.Except(got.Keys).FirstOrDefault() is { } missing)
            return new Agreement(want.Count, 0, $"the gateway lacks {missing} ({got.Count} series against {want.Count})");
        if (got.Keys.Except(want.Keys).FirstOrDefault() is { } extra)
            return new Agreement(want.Count, 0, $"the gateway has the extra series {extra} ({got.Count} series against {want.Count})");
        long values = 0;
        foreach (var (key, expected) in want)
        {
            var actual = got[key];
            if (expected.Count != actual.Count)
                return new Agreement(want.Count, values, $"{key}: {expected.Count} points directly, {actual.Count} through the gateway");
            for (var i = 0; i < expected.Count; i++)
            {
                var (t, e) = expected[i];
                var (u, a) = actual[i];
                if (t != u)
                    return new Agreement(want.Count, values, string.Create(CultureInfo.InvariantCulture, $"{key}: point {i} at {t} directly, at {u} through the gateway"));
                if (!Close(e, a))
                    return new Agreement(want.Count, values, string.Create(CultureInfo.InvariantCulture, $"{key} at {t}: {e:R} directly, {a:R} through the gateway"));
            }
            values += expected.Count;
        }
        return new Agreement(want.Count, values, null);
    }

    /// <summary>What the gateway says it pushed down (<c>data.stats.pushdown</c>, present when asked with <c>stats=all</c>).</summary>
    public static IReadOnlyList<string> Pushed(string body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").TryGetProperty("stats", out var stats) && stats.TryGetProperty("pushdown", out var pushed)
            ? [.. pushed.EnumerateArray().Select(static p => p.GetString() ?? "")]
            : [];
    }

    private static bool Close(double expected, double actual)
    {
        if ((double.IsNaN(expected) && double.IsNaN(actual)) || expected.Equals(actual))
            return true;
        var scale = Math.Max(Math.Abs(expected), Math.Abs(actual));
        return Math.Abs(expected - actual) <= Tolerance * scale || scale < 1e-12;
    }

    private static Dictionary<string, List<(long T, double V)>> Matrix(string body)
    {
        using var json = JsonDocument.Parse(body);
        var data = json.RootElement.GetProperty("data");
        if (data.GetProperty("resultType").GetString() != "matrix")
            throw new InvalidOperationException("not a matrix: " + body[..Math.Min(body.Length, 300)]);
        var result = new Dictionary<string, List<(long, double)>>(StringComparer.Ordinal);
        foreach (var series in data.GetProperty("result").EnumerateArray())
        {
            var key = "{" + string.Join(", ", series.GetProperty("metric").EnumerateObject()
                .OrderBy(static l => l.Name, StringComparer.Ordinal).Select(static l => $"{l.Name}=\"{l.Value.GetString()}\"")) + "}";
            var points = new List<(long, double)>();
            foreach (var pair in series.GetProperty("values").EnumerateArray())
            {
                var t = (long)Math.Round(pair[0].GetDouble() * 1000);
                var v = pair[1].GetString() switch
                {
                    "+Inf" => double.PositiveInfinity,
                    "-Inf" => double.NegativeInfinity,
                    "NaN" => double.NaN,
                    var text => double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture),
                };
                points.Add((t, v));
            }
            result.Add(key, points);
        }
        return result;
    }
}
