using System.Diagnostics;
using Headroom.Lake.Publishing;
using Headroom.Lake.Query;
using Headroom.Lake.Storage;
using Headroom.Testing;
using Headroom.Warehouse;
using Xunit.Abstractions;

namespace Headroom.Cli.Tests;

/// <summary><c>headroom lake</c>, <c>etl prune</c> and <c>report --lake</c> end to end, and the export killed with SIGKILL.</summary>
public sealed class LakeCommandTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-lake-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Help_names_every_lake_command_and_option()
    {
        var lake = await Cli.RunAsync("lake", "--help");
        Assert.Equal(0, lake.ExitCode);
        foreach (var word in (string[])["export", "ddl", "query"])
            Assert.Contains(word, lake.Output, StringComparison.Ordinal);
        var export = await Cli.RunAsync("lake", "export", "--help");
        foreach (var option in (string[])["--lake", "--db", "--from", "--to", "--compression", "--endpoint-url", "--s3-addressing"])
            Assert.Contains(option, export.Output, StringComparison.Ordinal);
        var query = await Cli.RunAsync("lake", "query", "--help");
        Assert.Contains("--explain", query.Output, StringComparison.Ordinal);
        var prune = await Cli.RunAsync("etl", "prune", "--help");
        Assert.Contains("--keep-hourly", prune.Output, StringComparison.Ordinal);
        var report = await Cli.RunAsync("report", "rightsizing", "--help");
        Assert.Contains("--lake", report.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_is_named_with_its_fix()
    {
        var db = "sqlite:" + Path.Combine(_directory, "absent.db");
        var scheme = await Cli.RunAsync("lake", "export", "--db", db, "--lake", "http://example/lake");
        Assert.Equal(ExitCodes.Usage, scheme.ExitCode);
        Assert.Contains("neither a folder nor s3://BUCKET/PREFIX", scheme.Error, StringComparison.Ordinal);
        var day = await Cli.RunAsync("lake", "export", "--db", db, "--lake", _directory, "--from", "yesterday");
        Assert.Equal(ExitCodes.Usage, day.ExitCode);
        Assert.Contains("use YYYY-MM-DD", day.Error, StringComparison.Ordinal);
        var bucket = await Cli.RunAsync("lake", "query", "--lake", "s3://A_B", "SELECT 1");
        Assert.Equal(ExitCodes.Usage, bucket.ExitCode);
        Assert.Contains("is not a bucket name", bucket.Error, StringComparison.Ordinal);
        var missing = await Cli.RunAsync("lake", "export", "--db", db, "--lake", Path.Combine(_directory, "lake"));
        Assert.Equal(ExitCodes.Failure, missing.ExitCode);
        Assert.Contains("no warehouse at", missing.Error, StringComparison.Ordinal);
        var sql = await Cli.RunAsync("lake", "query", "--lake", Path.Combine(_directory, "lake"), "SELEC nonsense");
        Assert.Equal(ExitCodes.Failure, sql.ExitCode);
        Assert.Contains("the query failed", sql.Error, StringComparison.Ordinal);
        var nowhere = Path.Combine(_directory, "nowhere");
        var absent = await Cli.RunAsync("lake", "query", "--lake", nowhere, "SELECT count(*) FROM hourly");
        Assert.Equal(ExitCodes.Failure, absent.ExitCode);
        Assert.Contains($"no lake at {nowhere}", absent.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(nowhere), "reading a missing lake created its folder");
        var ddl = await Cli.RunAsync("lake", "ddl", "--lake", Path.Combine(_directory, "lake"));
        Assert.Equal(ExitCodes.Usage, ddl.ExitCode);
        Assert.Contains("--location s3://BUCKET/PREFIX", ddl.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_prune_and_report_over_lake_and_warehouse_equal_the_report_before()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var start = new DateTimeOffset(today.AddDays(-20).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var db = "sqlite:" + Path.Combine(_directory, "warehouse.db");
        var lake = Path.Combine(_directory, "lake");
        await using (var warehouse = await Warehouse.Warehouse.OpenAsync(db))
        {
            await warehouse.MigrateAsync();
            await SyntheticUtilization.FillAsync(warehouse, 12, start, 18 * 24);
        }
        string[] report = ["report", "rightsizing", "--db", db, "--days", "18", "--format", "json"];
        var before = await Cli.RunAsync(report);
        Assert.True(before.ExitCode == 0, before.Error);

        // An empty lake proves nothing exported (a missing folder is refused as no lake at all).
        Directory.CreateDirectory(lake);
        var refused = await Cli.RunAsync("etl", "prune", "--db", db, "--lake", lake, "--keep-hourly", "10d");
        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        Assert.Contains("refusing to prune", refused.Error, StringComparison.Ordinal);

        var export = await Cli.RunAsync("lake", "export", "--db", db, "--lake", lake, "--compression", "snappy");
        Assert.True(export.ExitCode == 0, export.Error);
        log.WriteLine(export.Output);
        var prune = await Cli.RunAsync("etl", "prune", "--db", db, "--lake", lake, "--keep-hourly", "10d");
        Assert.True(prune.ExitCode == 0, prune.Error);
        log.WriteLine(prune.Output);
        Assert.Contains("pruned", prune.Output, StringComparison.Ordinal);

        var after = await Cli.RunAsync([.. report, "--lake", lake]);
        Assert.True(after.ExitCode == 0, after.Error);
        Assert.Equal(Strip(before.Output), Strip(after.Output));
        var warehouseOnly = await Cli.RunAsync(report);
        Assert.NotEqual(Strip(before.Output), Strip(warehouseOnly.Output));

        var query = await Cli.RunAsync("lake", "query", "--lake", lake, "--explain", "--format", "csv",
            $"SELECT count(*) AS n FROM hourly WHERE date = DATE '{today.AddDays(-15):yyyy-MM-dd}'");
        Assert.True(query.ExitCode == 0, query.Error);
        log.WriteLine(query.Output);
        Assert.StartsWith($"n\n{12 * 24 * 4}\nscanned 1 of ", query.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Athena would bill at most $0.00005", query.Output, StringComparison.Ordinal);

        var ddl = await Cli.RunAsync("lake", "ddl", "--lake", lake, "--location", "s3://bucket/headroom");
        Assert.True(ddl.ExitCode == 0, ddl.Error);
        Assert.Contains("CREATE EXTERNAL TABLE IF NOT EXISTS `headroom`.`hourly`", ddl.Output, StringComparison.Ordinal);
        Assert.Contains($"'projection.date.range' = '{start:yyyy-MM-dd},NOW'", ddl.Output, StringComparison.Ordinal);
        Assert.Contains("'storage.location.template' = 's3://bucket/headroom/table=hourly/date=${date}/account=${account}/region=${region}/'", ddl.Output, StringComparison.Ordinal);
        var glue = await Cli.RunAsync("lake", "ddl", "--lake", lake, "--location", "s3://bucket/headroom", "--format", "glue-json");
        Assert.True(glue.ExitCode == 0, glue.Error);
        using var json = System.Text.Json.JsonDocument.Parse(glue.Output);
        Assert.Equal(["hourly", "daily", "resources"], json.RootElement.EnumerateArray().Select(t => t.GetProperty("TableInput").GetProperty("Name").GetString()));
    }

    [Fact]
    public async Task A_mistyped_failpoint_stops_the_command_before_it_does_anything()
    {
        var lake = Path.Combine(_directory, "lake");
        var run = await Cli.RunProcessAsync(new Dictionary<string, string> { [Failpoint.Variable] = "lake.publish=kill(1)" },
            "lake", "export", "--db", "sqlite:" + Path.Combine(_directory, "absent.db"), "--lake", lake);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("HEADROOM_FAILPOINTS: unknown point 'lake.publish'; known: ", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(lake));
    }

    [Fact]
    public async Task Killing_the_export_at_named_points_and_at_a_random_moment_then_rerunning_equals_a_clean_export()
    {
        var db = "sqlite:" + Path.Combine(_directory, "warehouse.db");
        await using (var warehouse = await Warehouse.Warehouse.OpenAsync(db))
        {
            await warehouse.MigrateAsync();
            await SyntheticUtilization.FillAsync(warehouse, 8, new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero), 30 * 24);
        }
        var crashed = Path.Combine(_directory, "crashed");
        string[] export = ["lake", "export", "--db", db, "--lake", crashed];
        var kills = new List<string>();
        // Killed by the process itself at named steps (Failpoint): a partition's files uploaded and its manifest not
        // (the third partition of the run), a manifest published and the files it replaces not yet deleted (the second),
        // every partition published and the watermark not moved; and once from outside, at a random moment.
        const string outside = "killed from outside";
        foreach (var point in (string[])["lake.files-uploaded=kill(3)", "lake.manifest-published=kill(2)", outside, "lake.watermark=kill(1)"])
        {
            if (point == outside)
            {
                kills.Add(await KillFromOutsideAsync(export, crashed));
                continue;
            }
            var run = await Cli.RunProcessAsync(new Dictionary<string, string> { [Failpoint.Variable] = point }, export);
            // 137 = 128 + SIGKILL: the process died at the point, not by finishing or failing.
            Assert.True(run.ExitCode == 137, $"{point}: exited {run.ExitCode}: {run.Error}");
            Assert.Contains("killing the process with SIGKILL", run.Error, StringComparison.Ordinal);
            kills.Add($"{point}: killed with {Manifests(crashed)} manifests published");
        }
        log.WriteLine(string.Join("\n", kills));
        Assert.Contains(kills, k => k.StartsWith("from outside: killed", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(crashed, Lake.Utilization.LakeLayout.WatermarkKey)), "the last kill came before the watermark, yet one was written");

        var rerun = await Cli.RunProcessAsync(new Dictionary<string, string>(), "lake", "export", "--db", db, "--lake", crashed);
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        var clean = Path.Combine(_directory, "clean");
        var reference = await Cli.RunAsync("lake", "export", "--db", db, "--lake", clean);
        Assert.True(reference.ExitCode == 0, reference.Error);

        Assert.Equal(Files(clean), Files(crashed));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(crashed, FolderObjectStore.StagingFolder)));
        await using var a = await LakeQuery.OpenAsync(new FolderObjectStore(clean));
        await using var b = await LakeQuery.OpenAsync(new FolderObjectStore(crashed));
        Assert.Equal(Summary(a.Manifests), Summary(b.Manifests));
        const string all = "SELECT * FROM hourly ORDER BY profile, resource_key, dimension, hour_start";
        var expected = (await a.QueryAsync(all)).Rows;
        var actual = (await b.QueryAsync(all)).Rows;
        Assert.Equal(8 * 30 * 24 * 4, expected.Count);
        Assert.Equal(expected.Count, actual.Count);
        Assert.True(expected.Zip(actual).All(p => p.First.SequenceEqual(p.Second)), "the rows of the crashed-then-rerun lake differ from a clean export's");
        Assert.Equal(0L, (long)(await b.QueryAsync("SELECT count(*) - count(DISTINCT (resource_key, dimension, hour_start)) FROM hourly")).Rows[0][0]!);
    }

    /// <summary>
    /// An export killed with SIGKILL from outside at a random moment after it published a partition of its own, each
    /// partition's publication slowed by 30 ms (a failpoint's sleep) so that the kill lands before the run finishes.
    /// </summary>
    private static async Task<string> KillFromOutsideAsync(string[] export, string lake)
    {
        var published = Manifests(lake);
        using var process = Process.Start(Cli.StartInfo(new Dictionary<string, string> { [Failpoint.Variable] = $"{Failpoint.LakeFilesUploaded}=sleep(30)" }, export))!;
        var watch = Stopwatch.StartNew();
        while (!process.HasExited && Manifests(lake) <= published && watch.Elapsed < TimeSpan.FromMinutes(2))
            await Task.Delay(10);
        await Task.Delay(new Random(20261130).Next(0, 150));
        var outcome = process.HasExited
            ? $"from outside: not killed, exited {process.ExitCode}: {(await process.StandardError.ReadToEndAsync()).Trim()}"
            : $"from outside: killed with {Manifests(lake)} manifests published";
        process.Kill(); // SIGKILL on Linux
        await process.WaitForExitAsync();
        return outcome;
    }

    private static int Manifests(string lake) =>
        Directory.Exists(lake) ? Directory.EnumerateFiles(lake, PartitionManifest.FileName, SearchOption.AllDirectories).Count() : 0;

    /// <summary>Every published file but the manifests' timestamps: the data files with their hashes, the manifests, the watermark.</summary>
    private static List<string> Files(string lake) => Directory.EnumerateFiles(lake, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(lake, f))
        .Where(f => !f.StartsWith(FolderObjectStore.StagingFolder, StringComparison.Ordinal))
        .Order(StringComparer.Ordinal).ToList();

    private static List<string> Summary(IReadOnlyList<PartitionManifest> manifests) => manifests
        .Select(m => $"{m.Partition} {m.Rows} {m.ContentChecksum} {string.Join(',', m.Files.Select(f => $"{f.Name}:{f.Rows}:{f.Bytes}:{f.Sha256}"))}")
        .Order(StringComparer.Ordinal).ToList();

    private static string Strip(string json) => System.Text.RegularExpressions.Regex.Replace(json, "\"generated_at\": \"[^\"]*\"", "");

    [Fact]
    public async Task Lists_structs_and_maps_print_as_duckdb_prints_them_and_nest_in_json()
    {
        var lake = Path.Combine(_directory, "empty-lake");
        Directory.CreateDirectory(lake);
        const string Sql = "SELECT [1, 2] AS l, {'a': 1, 'b': 'x'} AS s, MAP {'k': 1} AS m";

        var table = await Cli.RunAsync("lake", "query", "--lake", lake, Sql);
        var json = await Cli.RunAsync("lake", "query", "--lake", lake, "--format", "json", Sql);
        var nulls = await Cli.RunAsync("lake", "query", "--lake", lake, "SELECT [[1.5], [NULL]] AS ll");

        Assert.True(table.ExitCode == 0, table.Error);
        Assert.Contains("[1, 2]", table.Output, StringComparison.Ordinal);
        Assert.Contains("{a: 1, b: x}", table.Output, StringComparison.Ordinal);
        Assert.Contains("{k: 1}", table.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("System.Collections", table.Output, StringComparison.Ordinal);
        Assert.Equal("""[{"l":["1","2"],"s":{"a":"1","b":"x"},"m":{"k":"1"}}]""", json.Output.Trim());
        // A value DuckDB.NET cannot hand over is a query error naming the column, not a crash.
        Assert.Equal(ExitCodes.Failure, nulls.ExitCode);
        Assert.Contains("column 'll'", nulls.Error, StringComparison.Ordinal);
    }

    /// <summary>BLOB printed as "System.IO.UnmanagedMemoryStream", TIME without its seconds, and an INTERVAL with months crashed.</summary>
    [Fact]
    public async Task Blobs_times_and_intervals_print_as_duckdb_prints_them()
    {
        var lake = Path.Combine(_directory, "empty-lake");
        Directory.CreateDirectory(lake);
        const string Sql = "SELECT '\\x01A\\x5C'::BLOB AS b, TIME '01:02:03' AS t, TIME '01:02:03.5' AS tf, INTERVAL 1 MONTH AS m, " +
            "INTERVAL '1 day 2 hours' AS dh, INTERVAL 90 MINUTE AS hm, INTERVAL 3 DAY AS d, INTERVAL '14 months' AS ym";

        var csv = await Cli.RunAsync("lake", "query", "--lake", lake, "--format", "csv", Sql);
        var table = await Cli.RunAsync("lake", "query", "--lake", lake, Sql);

        Assert.True(csv.ExitCode == 0, csv.Error);
        Assert.Equal("b,t,tf,m,dh,hm,d,ym\n\\x01A\\x5C,01:02:03,01:02:03.5,1 month,1 day 02:00:00,01:30:00,3 days,1 year 2 months", csv.Output.Trim().ReplaceLineEndings("\n"));
        Assert.True(table.ExitCode == 0, table.Error);
        Assert.DoesNotContain("System.", table.Output, StringComparison.Ordinal);
        // Inside a list DuckDB.NET still cannot read it: a query error in words, naming the column.
        var nested = await Cli.RunAsync("lake", "query", "--lake", lake, "SELECT [INTERVAL 1 MONTH] AS l");
        Assert.Equal(ExitCodes.Failure, nested.ExitCode);
        Assert.Contains("column 'l': an INTERVAL with months inside a LIST or STRUCT cannot be read as a value; select it as text", nested.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("TimeSpan", nested.Error, StringComparison.Ordinal);
    }
}
