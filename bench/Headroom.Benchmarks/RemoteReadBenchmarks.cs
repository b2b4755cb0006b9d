using System.Net;
using BenchmarkDotNet.Attributes;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;

namespace Headroom.Benchmarks;

/// <summary>
/// Reading streamed remote read answers: the XOR chunk decoder alone, and the whole client path (frames, CRC-32C,
/// protobuf, XOR, series assembly) over an in-memory body, on <see cref="Series"/> counter series of
/// <see cref="PromqlBenchData"/> (a day at 15 s: 5,760 samples, 48 chunks of 120 per series).
/// </summary>
[MemoryDiagnoser]
public class RemoteReadBenchmarks
{
    private byte[][] _chunks = [];
    private FloatPoint[] _points = [];
    private byte[] _body = [];
    private RemoteReadClient _client = null!;

    [Params(100)]
    public int Series { get; set; }

    /// <summary>Samples decoded per operation, to turn the mean into nanoseconds per sample.</summary>
    public int Samples { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var series = new Dictionary<Labels, List<FloatPoint>>();
        PromqlBenchData.Generate(Series, (labels, t, value) =>
        {
            if (labels.Name != "http_requests_total")
                return;
            if (!series.TryGetValue(labels, out var points))
                series[labels] = points = [];
            points.Add(new FloatPoint(t, value));
        });
        var chunks = new List<byte[]>();
        foreach (var points in series.Values)
        {
            for (var i = 0; i < points.Count; i += XorChunk.SamplesPerChunk)
            {
                var slice = points.GetRange(i, Math.Min(XorChunk.SamplesPerChunk, points.Count - i)).ToArray();
                var buffer = new byte[XorChunk.MaxEncodedLength(slice.Length)];
                chunks.Add(buffer[..XorChunk.Encode(slice, buffer)]);
            }
        }
        _chunks = [.. chunks];
        Samples = series.Values.Sum(p => p.Count);
        _points = new FloatPoint[XorChunk.SamplesPerChunk];
        var sorted = series.Select(p => new Series(p.Key, [.. p.Value])).OrderBy(s => s.Labels, Comparer<Labels>.Create(Labels.Compare)).ToList();
        using var output = new MemoryStream();
        RemoteReadServerCodec.WriteStreamedQueryAsync(output, 0, sorted.ToAsyncEnumerable()).GetAwaiter().GetResult();
        _body = output.ToArray();
        Console.WriteLine($"// {Samples:N0} samples in {_chunks.Length:N0} chunks of {_chunks.Sum(c => c.Length):N0} bytes; streamed answer {_body.Length:N0} bytes");
        _client = new RemoteReadClient(new HttpClient(new Answer(this)), new Uri("http://bench.test/"));
    }

    /// <summary>XOR decoding alone: every chunk into a reused buffer.</summary>
    [Benchmark]
    public long XorDecode()
    {
        long sum = 0;
        foreach (var chunk in _chunks)
        {
            var n = XorChunk.Decode(chunk, long.MinValue, long.MaxValue, _points);
            sum += _points[n - 1].T;
        }
        return sum;
    }

    /// <summary>The client reading the same series as one streamed answer, into a Series per series.</summary>
    [Benchmark]
    public int StreamedRead()
    {
        var n = 0;
        foreach (var result in _client.ReadAsync([new RemoteReadQuery([], long.MinValue, long.MaxValue)]).GetAwaiter().GetResult())
            n += result.Count;
        return n;
    }

    private sealed class Answer(RemoteReadBenchmarks owner) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(owner._body) };
            response.Content.Headers.TryAddWithoutValidation("Content-Type", RemoteReadServerCodec.StreamedContentType);
            return Task.FromResult(response);
        }
    }
}
