using System.Globalization;
using System.Text.Json;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;

namespace Headroom.Gateway.Federation;

internal sealed partial class ReplicaBackend
{
    /// <summary>
    /// A pushed aggregation through <c>/api/v1/query_range</c> (POSTed as a form: the text can be long). One step
    /// (<paramref name="start"/> = <paramref name="end"/>) is an instant query. The replica's refusal of the query
    /// (HTTP 400 or 422) is the query's error; any other failure is the replica's.
    /// </summary>
    public async Task<IReadOnlyList<Series>> QueryRangeAsync(string expr, long start, long end, long step, SourceWarnings warnings,
        CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["query"] = expr,
            ["start"] = Seconds(start),
            ["end"] = Seconds(end),
            // Any step gives one point when start = end; Prometheus takes seconds with a fraction.
            ["step"] = (Math.Max(step, 1) / 1000.0).ToString("0.###", CultureInfo.InvariantCulture),
        };
        HttpResponseMessage response;
        try
        {
            using var content = new FormUrlEncodedContent(form);
            response = await _http.PostAsync(new Uri(BaseUri, "api/v1/query_range"), content, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RemoteReadException($"cannot reach {Name}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RemoteReadException($"{Name} did not answer within {_http.Timeout.TotalSeconds:F0} s", e);
        }
        using (response)
        {
            JsonDocument document;
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new RemoteReadException($"{Name} answered a pushed query with HTTP {(int)response.StatusCode} and a body that is not JSON: {e.Message}", e);
            }
            using (document)
            {
                var root = document.RootElement;
                if (!response.IsSuccessStatusCode || root.GetProperty("status").GetString() != "success")
                {
                    var error = root.TryGetProperty("error", out var e) ? e.GetString() : response.ReasonPhrase;
                    var code = (int)response.StatusCode;
                    if (code is 400 or 422)
                    {
                        throw new QueryException($"shard {Shard} ({Name}) refused the pushed query {expr}: {error}");
                    }
                    throw new RemoteReadException($"{Name} answered HTTP {code} to a pushed query: {error}", code);
                }
                foreach (var name in new[] { "warnings", "infos" })
                {
                    if (root.TryGetProperty(name, out var messages))
                    {
                        foreach (var message in messages.EnumerateArray())
                        {
                            warnings.Add(message.GetString() ?? "");
                        }
                    }
                }
                return ParseMatrix(root.GetProperty("data"), expr);
            }
        }
    }

    private List<Series> ParseMatrix(JsonElement data, string expr)
    {
        if (data.GetProperty("resultType").GetString() != "matrix")
        {
            throw new RemoteReadException($"{Name} answered a range query with a {data.GetProperty("resultType").GetString()}");
        }
        var result = new List<Series>();
        foreach (var item in data.GetProperty("result").EnumerateArray())
        {
            if (item.TryGetProperty("histograms", out _))
            {
                // The gateway's evaluation of a pushed node carries floats only: exact, or not at all.
                throw new QueryException($"shard {Shard} answered the pushed query {expr} with native histograms, which pushdown does not carry; ask again with pushdown=false");
            }
            var labels = Labels.From(item.GetProperty("metric").EnumerateObject().Select(p => new Label(p.Name, p.Value.GetString() ?? "")));
            var values = item.GetProperty("values");
            var points = new FloatPoint[values.GetArrayLength()];
            var i = 0;
            foreach (var pair in values.EnumerateArray())
            {
                points[i++] = new FloatPoint((long)Math.Round(pair[0].GetDouble() * 1000), ParseValue(pair[1].GetString()));
            }
            result.Add(new Series(labels, points));
        }
        return result;
    }

    private static double ParseValue(string? text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text ?? "", NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
