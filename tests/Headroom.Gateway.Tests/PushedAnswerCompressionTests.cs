using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Headroom.Gateway.Configuration;
using Headroom.PromQL;
using Headroom.Testing;

namespace Headroom.Gateway.Tests;

/// <summary>
/// The gateway asks its replicas for uncompressed answers (Prometheus gzips a pushed query's megabytes of JSON when
/// asked, which cost more than evaluating it: docs/benchmarks.md, "The pushdown overhead, found"), and still reads
/// an answer a proxy gzipped unasked. The replica here is a small HTTP server that records the request's headers.
/// </summary>
public sealed class PushedAnswerCompressionTests
{
    private const string Matrix = """{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"api"},"values":[[1793491200,"2.5"],[1793491500,"+Inf"]]}]}}""";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_pushed_query_asks_for_no_compression_and_reads_a_gzipped_answer_anyway(bool gzipUnasked)
    {
        var encodings = new List<string>();
        await using (var replica = new LoopbackHttpServer((context, cancellationToken) => AnswerAsync(context, encodings, gzipUnasked, cancellationToken)))
        {
            var config = GatewayConfig.For([new ShardConfig("shard-0", [replica.BaseUri], Labels.Empty)]) with { Pushdown = true };
            await using var gateway = await GatewayServer.StartAsync(config, new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
            using var http = new HttpClient();
            var body = await http.GetStringAsync(new Uri(gateway.BaseUri,
                "api/v1/query_range?query=sum+by+(job)(rate(x[5m]))&start=1793491200&end=1793491500&step=300&stats=all"));

            using var json = JsonDocument.Parse(body);
            var series = Assert.Single(json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray());
            Assert.Equal("api", series.GetProperty("metric").GetProperty("job").GetString());
            Assert.Equal(new[] { "2.5", "+Inf" }, series.GetProperty("values").EnumerateArray().Select(v => v[1].GetString()!).ToArray());
            Assert.Single(json.RootElement.GetProperty("data").GetProperty("stats").GetProperty("pushdown").EnumerateArray());
        }
        lock (encodings)
        {
            Assert.NotEmpty(encodings);
            Assert.All(encodings, e => Assert.Equal("", e));
        }
    }

    private static async Task AnswerAsync(HttpListenerContext context, List<string> encodings, bool gzip, CancellationToken cancellationToken)
    {
        lock (encodings)
        {
            encodings.Add(context.Request.Headers["Accept-Encoding"] ?? "");
        }
        var path = context.Request.Url!.AbsolutePath;
        var text = path.EndsWith("/status/config", StringComparison.Ordinal)
            ? """{"status":"success","data":{"yaml":"global:\n  scrape_interval: 15s\n"}}"""
            : Matrix;
        var bytes = Encoding.UTF8.GetBytes(text);
        if (gzip)
        {
            using var packed = new MemoryStream();
            await using (var zip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await zip.WriteAsync(bytes, cancellationToken);
            }
            bytes = packed.ToArray();
            context.Response.AddHeader("Content-Encoding", "gzip");
        }
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes, cancellationToken);
    }
}
