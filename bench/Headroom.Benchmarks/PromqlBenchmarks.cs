using BenchmarkDotNet.Attributes;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;

namespace Headroom.Benchmarks;

/// <summary>
/// The PromQL engine over in-memory storage: range queries across one day at a 5 m step over
/// <see cref="Series"/> counter series and as many classic-histogram bucket series, one sample every 15 s
/// (5,760 per series; 57.6 million per metric at 10,000 series). Each query reads every sample of the day.
/// </summary>
[MemoryDiagnoser]
public class PromqlBenchmarks
{
    private QueryEngine _engine = null!;

    /// <summary>Series per metric: counters, and histogram buckets (a tenth as many histograms, ten buckets each).</summary>
    [Params(10_000)]
    public int Series { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var storage = new InMemoryStorage();
        PromqlBenchData.Generate(Series, storage.Append);
        _engine = new QueryEngine(storage, new EngineOptions { MaxSamples = 500_000_000, Timeout = TimeSpan.FromMinutes(10) });
    }

    private QueryResult Run(string query) =>
        _engine.RangeAsync(query, PromqlBenchData.Start + PromqlBenchData.Step, PromqlBenchData.Start + PromqlBenchData.Day - PromqlBenchData.Scrape, PromqlBenchData.Step)
            .GetAwaiter().GetResult();

    [Benchmark]
    public QueryResult Rate() => Run(PromqlBenchData.Queries[0].Query);

    [Benchmark]
    public QueryResult SumByRate() => Run(PromqlBenchData.Queries[1].Query);

    [Benchmark]
    public QueryResult HistogramQuantile() => Run(PromqlBenchData.Queries[2].Query);

    [Benchmark]
    public QueryResult TopK() => Run(PromqlBenchData.Queries[3].Query);

    [Benchmark]
    public QueryResult BinaryOnMatching() => Run(PromqlBenchData.Queries[4].Query);

    [Benchmark]
    public QueryResult Subquery() => Run(PromqlBenchData.Queries[5].Query);
}
