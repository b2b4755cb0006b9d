using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Headroom.Etl;
using Headroom.Prometheus.Client;
using Headroom.Warehouse;

namespace Headroom.Benchmarks;

/// <summary>
/// The ETL against a real Prometheus, and Prometheus alone answering the very same queries, in one process:
/// <c>etl SOURCE DB FROM TO MODE [raw|recorded]</c> with MODE <c>etl</c> (extract, validate, load) or
/// <c>prometheus</c> (the extraction's query_range requests only, bodies read and discarded; samples touched
/// from <c>stats=all</c>). Prints one line of key=value pairs.
/// </summary>
internal static class EtlMacro
{
    private static readonly string[] Dimensions = ["cpu", "memory", "network_in", "network_out"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 5 || args[0] == "--help")
        {
            Console.Error.WriteLine("usage: etl SOURCE DB|postgres|mariadb FROM TO etl|prometheus [raw|recorded]");
            return 2;
        }
        var source = new Uri(args[0].TrimEnd('/') + "/");
        var from = DateTimeOffset.Parse(args[2], CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(args[3], CultureInfo.InvariantCulture);
        var recorded = args.Length > 5 && args[5] == "recorded";
        var node = ProfileLoader.Load("node");
        var profile = node with { Dimensions = [.. node.Dimensions.Where(d => Dimensions.Contains(d.Name))] };
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var stopwatch = Stopwatch.StartNew();

        if (args[4] == "prometheus")
        {
            var (requests, samples, bytes) = await QueryOnlyAsync(http, source, profile, from, to, recorded);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mode=prometheus read={(recorded ? "recorded" : "raw")} seconds={stopwatch.Elapsed.TotalSeconds:F2} requests={requests} samples_touched={samples} response_bytes={bytes}"));
            return 0;
        }

        // "postgres" and "mariadb" start a real server for the run (Headroom.Servers); anything else is a warehouse URL.
        await using var postgres = args[1] == "postgres" ? await Testing.PostgresServer.StartAsync() : null;
        await using var mariadb = args[1] == "mariadb" ? await Testing.MariaDbServer.StartAsync() : null;
        var url = postgres?.Url ?? mariadb?.Url ?? args[1];
        stopwatch.Restart();
        await using var warehouse = await Warehouse.Warehouse.OpenAsync(url);
        await warehouse.MigrateAsync();
        var runner = new EtlRunner(warehouse, new PrometheusClient(http, source), new ExtractionOptions());
        var report = await runner.RunAsync(new EtlOptions { Profile = profile, Source = "bench", From = from, To = to, UseRecordingRules = recorded }, EtlMode.Backfill);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mode=etl read={(recorded ? "recorded" : "raw")} db={warehouse.Dialect} seconds={seconds:F2} rows={report.RowsLoaded} rows_per_second={report.RowsLoaded / seconds:F0} requests={report.Requests} fallbacks={report.RawFallbacks}"));
        return 0;
    }

    /// <summary>The extraction's requests, exactly as the ETL sends them (same chunks, same concurrency), with stats=all.</summary>
    private static async Task<(int Requests, long Samples, long Bytes)> QueryOnlyAsync(HttpClient http, Uri source, Profile profile, DateTimeOffset from, DateTimeOffset to, bool recorded)
    {
        var options = new ExtractionOptions();
        var requests = new List<(string Query, DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var dimension in profile.Dimensions)
        {
            var query = ExtractionQuery.Statistics(recorded ? ExtractionQuery.RecordedRange(dimension) : ExtractionQuery.RawRange(profile, dimension));
            for (var start = from; start < to; start = start.AddHours(options.ChunkHours))
            {
                var end = start.AddHours(options.ChunkHours) < to ? start.AddHours(options.ChunkHours) : to;
                requests.Add((query, start.AddHours(1) - ExtractionQuery.EvaluationOffset, end - ExtractionQuery.EvaluationOffset));
            }
        }
        var bodies = new byte[requests.Count][];
        await Parallel.ForEachAsync(Enumerable.Range(0, requests.Count), new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency }, async (i, ct) =>
        {
            var (query, start, end) = requests[i];
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["query"] = query,
                ["start"] = (start.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture),
                ["end"] = (end.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture),
                ["step"] = "3600",
                ["stats"] = "all",
            });
            using var response = await http.PostAsync(new Uri(source, "api/v1/query_range"), form, ct);
            response.EnsureSuccessStatusCode();
            bodies[i] = await response.Content.ReadAsByteArrayAsync(ct);
        });
        long samples = 0;
        foreach (var body in bodies)
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.GetProperty("data").TryGetProperty("stats", out var stats))
                samples += stats.GetProperty("samples").GetProperty("totalQueryableSamples").GetInt64();
        }
        return (requests.Count, samples, bodies.Sum(b => (long)b.Length));
    }
}
