using System.Globalization;
using System.Text.Json;

namespace Headroom.Prometheus.Client;

/// <summary>Turns the <c>data</c> element of an API answer into a <see cref="QueryResponse"/>.</summary>
internal static class ResultParser
{
    public static QueryResponse Parse(JsonElement data, IReadOnlyList<string> warnings)
    {
        var type = data.GetProperty("resultType").GetString() ?? "";
        var result = data.GetProperty("result");
        switch (type)
        {
            case "vector":
            case "matrix":
                var series = new List<ResultSeries>(result.GetArrayLength());
                foreach (var item in result.EnumerateArray())
                {
                    var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                    if (item.TryGetProperty("metric", out var metric))
                    {
                        foreach (var label in metric.EnumerateObject())
                            labels[label.Name] = label.Value.GetString() ?? "";
                    }
                    var samples = new List<ResponseSample>();
                    if (item.TryGetProperty("value", out var value))
                        samples.Add(ParseSample(value));
                    if (item.TryGetProperty("values", out var values))
                    {
                        samples.Capacity = values.GetArrayLength();
                        foreach (var v in values.EnumerateArray())
                            samples.Add(ParseSample(v));
                    }
                    series.Add(new ResultSeries(labels, samples));
                }
                return new QueryResponse(type, series, null, warnings);
            case "scalar":
            case "string":
                return new QueryResponse(type, [], type == "scalar" ? ParseSample(result) : null, warnings);
            default:
                throw new PrometheusApiException($"unknown resultType '{type}' in the API answer");
        }
    }

    private static ResponseSample ParseSample(JsonElement pair)
    {
        var seconds = pair[0].GetDouble();
        var text = pair[1].GetString();
        var value = text switch
        {
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new ResponseSample((long)Math.Round(seconds * 1000), value);
    }
}
