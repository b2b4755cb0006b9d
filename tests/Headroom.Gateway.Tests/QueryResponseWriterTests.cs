using System.Text;
using System.Text.Json;
using Headroom.Gateway.Federation;
using Headroom.Prometheus.ServerApi;
using Headroom.PromQL;
using Headroom.PromQL.Engine;

namespace Headroom.Gateway.Tests;

/// <summary>
/// The query answer's JSON, now formatted straight into bytes (the gateway's and the API server's answers): every
/// value and timestamp must read exactly as <see cref="PromValueFormat"/> spells it, as the writer wrote it before.
/// </summary>
public sealed class QueryResponseWriterTests
{
    [Fact]
    public void Values_and_timestamps_are_spelled_as_PromValueFormat_spells_them()
    {
        var random = new Random(5);
        var special = new[] { 0.0, -0.0, 1.5, -2.25e-7, 1e21, -1e15, 999_999_999_999_999, 1e-4, 1e-5, 1e300, 5e-324, double.MaxValue, 0.1 + 0.2, double.NaN, double.PositiveInfinity, double.NegativeInfinity };
        var values = special.Concat(Enumerable.Range(0, 3000).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-12, 22)))).ToArray();
        var points = values.Select((v, i) => new FloatPoint(1_793_491_200_000 + i * 15_000 + (i % 9) * 111 - (i % 2 == 0 ? 0 : 1_793_491_200_000 * 2), v)).ToArray();
        var json = QueryResponseWriter.ToJson(new QueryResult(new MatrixResult([new Series(Labels.Of("le", "+Inf"), points)]), new Annotations()));

        using var document = JsonDocument.Parse(json);
        var written = document.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("values").EnumerateArray().ToList();
        Assert.Equal(points.Length, written.Count);
        for (var i = 0; i < points.Length; i++)
        {
            Assert.Equal(PromValueFormat.Timestamp(points[i].T), written[i][0].GetRawText());
            Assert.Equal(PromValueFormat.Value(points[i].F), written[i][1].GetString());
        }
        Assert.Contains("\"le\":\"+Inf\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Vector_and_scalar_answers_are_each_spelled_as_prometheus_spells_them()
    {
        // Prometheus writes vectors with its own float writer (exponents past 1e21, three decimals in times) and
        // scalars with Go's JSON encoder (no exponent, times without trailing zeros).
        var big = QueryResponseWriter.ToJson(new QueryResult(new ScalarResult(1_793_491_207_500, 1e22), new Annotations()));
        Assert.Equal("""{"status":"success","data":{"resultType":"scalar","result":[1793491207.5,"10000000000000000000000"]}}""", big);
        var vector = QueryResponseWriter.ToJson(new QueryResult(new VectorResult([new Sample(Labels.Of("a", "b"), 1_793_491_207_500, 1e22)]), new Annotations()));
        var scalar = QueryResponseWriter.ToJson(new QueryResult(new ScalarResult(1_793_491_207_050, double.NegativeInfinity), new Annotations()));

        Assert.Equal("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1793491207.500,"1e+22"]}]}}""", vector);
        Assert.Equal("""{"status":"success","data":{"resultType":"scalar","result":[1793491207.05,"-Inf"]}}""", scalar);
    }

    [Fact]
    public void A_pushed_answer_reads_timestamps_in_every_spelling_JSON_allows()
    {
        var json = """{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1.5,"1"],[2.05,"2"],[3.001,"3"],[4.10,"4"],[5,"5"],[6.0,"6"],[-7.5,"7"],[1.5e3,"8"],[0.0005,"9"],[9.1234,"10"]]}]}}""";

        var answer = QueryRangeAnswer.Read(Encoding.UTF8.GetBytes(json));

        // Past three decimals, as before, through a double rounded half to even: 0.5 ms is 0, 9123.4 ms is 9123.
        Assert.Equal([1500L, 2050, 3001, 4100, 5000, 6000, -7500, 1_500_000, 0, 9123], answer.Series[0].Points.Select(p => p.T));
    }

    [Fact]
    public async Task Written_in_parts_the_answer_is_the_same_bytes_and_leaves_in_small_writes()
    {
        // 400 series × 288 values: about 5 MB of JSON, which the gateway used to hold whole (twice, while it grew).
        var matrix = new MatrixResult([.. Enumerable.Range(0, 400).Select(s => new Series(Labels.Of("job", $"job-{s}", "le", "+Inf"),
            [.. Enumerable.Range(0, 288).Select(i => new FloatPoint(1_793_491_200_000 + i * 300_000, s * 1.5 + i / 7.0))]))]);
        QueryResult[] results =
        [
            new(matrix, new Annotations()),
            new(new VectorResult([.. Enumerable.Range(0, 5000).Select(i => new Sample(Labels.Of("i", $"{i}"), 1_793_491_207_500, i / 3.0))]), new Annotations()),
            new(new ScalarResult(1_793_491_207_050, 2.5), new Annotations()),
            new(new StringResult(1_793_491_207_050, "text"), new Annotations()),
            new(new MatrixResult([]), new Annotations()),
        ];
        Action<Utf8JsonWriter> stats = json => json.WriteStringValue("stats");

        foreach (var result in results)
        {
            using var whole = new MemoryStream();
            QueryResponseWriter.Write(whole, result, stats);
            var parts = new WriteRecorder();

            await QueryResponseWriter.WriteAsync(parts, result, stats, CancellationToken.None);

            Assert.Equal(whole.ToArray(), parts.ToArray());
            Assert.Equal(0, parts.SyncWrites);
            // A write carries what was pending past 32 KiB plus the series or sample that crossed it (a series here is
            // under 8 KB): nothing near the 80 KB of the large-object heap, and a large answer in many writes.
            Assert.All(parts.Writes, w => Assert.InRange(w, 1, 48 * 1024));
        }
        var large = new WriteRecorder();
        await QueryResponseWriter.WriteAsync(large, results[0], null, CancellationToken.None);
        Assert.True(large.Writes.Count > 100, $"{large.Writes.Count} writes for {large.Length:N0} bytes");
    }

    /// <summary>A stream that keeps what is written and the size of every asynchronous write (Kestrel allows no other).</summary>
    private sealed class WriteRecorder : Stream
    {
        private readonly MemoryStream _written = new();

        public List<int> Writes { get; } = [];

        public int SyncWrites { get; private set; }

        public byte[] ToArray() => _written.ToArray();

        public override void Write(byte[] buffer, int offset, int count)
        {
            SyncWrites++;
            _written.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(buffer.Length);
            _written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written.Length;

        public override long Position { get => _written.Length; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _written.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
