using System.Globalization;
using System.Text;
using System.Text.Json;
using Headroom.Gateway.Federation;
using Headroom.Prometheus.ServerApi;
using Headroom.PromQL;
using Headroom.PromQL.Engine;

namespace Headroom.Gateway.Tests;

/// <summary>
/// The one-pass reader of a replica's <c>/api/v1/query_range</c> answer (a pushed query's): it must read back exactly
/// what a Prometheus-compatible writer wrote, values bit for bit, as the JsonDocument reading it replaced did.
/// </summary>
public sealed class QueryRangeAnswerTests
{
    [Fact]
    public void A_matrix_reads_back_exactly_labels_timestamps_and_every_kind_of_value()
    {
        var random = new Random(12);
        var special = new[] { 0.0, -0.0, 1.5, -2.25e-7, 1e300, 5e-324, double.MaxValue, 0.1 + 0.2, double.NaN, double.PositiveInfinity, double.NegativeInfinity };
        var values = special.Concat(Enumerable.Range(0, 2000).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-12, 22)))).ToArray();
        var series = new List<Series>
        {
            new(Labels.Of("le", "+Inf", "job", "api"), [.. values.Select((v, i) => new FloatPoint(1_793_491_200_000 + i * 15_000 + (i % 7) * 125, v))]),
            new(Labels.Of("job", "quote\"back\\slash", "path", "/ünï/ç?a=b&c"), [new FloatPoint(1_793_491_207_500, 42)]),
            new(Labels.Empty, [new FloatPoint(-1500, 1), new FloatPoint(0, 2)]),
        };
        var json = QueryResponseWriter.ToJson(new QueryResult(new MatrixResult(series), new Annotations()));

        var answer = QueryRangeAnswer.Read(Encoding.UTF8.GetBytes(json));

        Assert.Equal("success", answer.Status);
        Assert.Equal("matrix", answer.ResultType);
        Assert.False(answer.HasHistograms);
        Assert.Equal(series.Count, answer.Series.Count);
        for (var s = 0; s < series.Count; s++)
        {
            Assert.Equal(series[s].Labels, answer.Series[s].Labels);
            Assert.Equal(series[s].Points.Length, answer.Series[s].Points.Length);
            for (var i = 0; i < series[s].Points.Length; i++)
            {
                var (want, got) = (series[s].Points[i], answer.Series[s].Points[i]);
                Assert.Equal(want.T, got.T);
                // -0 is written "-0" and read back as -0; NaN's bits are Prometheus' one NaN either way.
                Assert.True(want.F.Equals(got.F), $"series {s} point {i}: wrote {want.F.ToString("R", CultureInfo.InvariantCulture)}, read {got.F.ToString("R", CultureInfo.InvariantCulture)}");
            }
        }
    }

    [Fact]
    public void Values_read_as_the_JSON_document_with_a_string_per_value_read_them()
    {
        var json = """{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1.5,"1e+21"],[2,"Inf"],[3.001,"-0.000001"],[4,"12345678901234567890"]]}]}}""";

        var answer = QueryRangeAnswer.Read(Encoding.UTF8.GetBytes(json));

        using var document = JsonDocument.Parse(json);
        var expected = document.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("values").EnumerateArray()
            .Select(p => new FloatPoint((long)Math.Round(p[0].GetDouble() * 1000),
                p[1].GetString() == "Inf" ? double.PositiveInfinity : double.Parse(p[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)))
            .ToArray();
        Assert.Equal(expected, Assert.Single(answer.Series).Points);
    }

    [Fact]
    public void Errors_warnings_infos_histograms_and_other_result_types_are_reported_not_hidden()
    {
        var error = QueryRangeAnswer.Read("""{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"}"""u8);
        Assert.Equal("error", error.Status);
        Assert.Equal("1:5: parse error: unexpected", error.Error);

        var noted = QueryRangeAnswer.Read("""{"status":"success","warnings":["w1"],"data":{"resultType":"matrix","result":[{"metric":{},"histograms":[[1,{"count":"1"}]]}]},"infos":["i1"]}"""u8);
        Assert.Equal(new[] { "w1", "i1" }, noted.Messages);
        Assert.True(noted.HasHistograms);

        var vector = QueryRangeAnswer.Read("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2"]}]}}"""u8);
        Assert.Equal("vector", vector.ResultType);
    }

    [Theory]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]""")]
    public void A_body_that_is_not_a_query_answer_is_a_JSON_error(string body) =>
        Assert.ThrowsAny<JsonException>(() => QueryRangeAnswer.Read(Encoding.UTF8.GetBytes(body)));
}
