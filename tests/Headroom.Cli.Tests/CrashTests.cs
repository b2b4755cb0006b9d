using System.Diagnostics;
using Headroom.Testing;

namespace Headroom.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class PlainFleetCollection : ICollectionFixture<FleetPrometheus>
{
    public const string Name = "plain fleet prometheus";
}

/// <summary>The real process killed with SIGKILL at random points of a multi-window load, then run again.</summary>
[Collection(PlainFleetCollection.Name)]
public sealed class CrashTests(FleetPrometheus source) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-crash-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Killing_the_etl_at_random_points_never_leaves_half_a_window_or_a_duplicate()
    {
        // 36 one-hour windows from a first run (no --from): the watermark carries each restart forward.
        var config = Path.Combine(_directory, "headroom.yaml");
        await File.WriteAllTextAsync(config, "etl:\n  first_run_lookback: 36h\n  window_hours: 1\n");
        string[] Args(string db) => ["etl", "run", "--config", config, "--source", source.Server.BaseUri.AbsoluteUri, "--db", "sqlite:" + db, "--to", FleetPrometheus.End.ToString("O")];

        var crashed = Path.Combine(_directory, "crashed.db");
        var sourceKey = source.Server.BaseUri.AbsoluteUri.TrimEnd('/');
        var random = new Random(20261123);
        var kills = new List<string>();
        DateTimeOffset? watermark = null;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using var process = Start(Args(crashed));
            // Kill once this run has committed a window of its own (the watermark moved), at a point inside the next
            // one: a fixed delay after the start could land before the first commit on a loaded machine, every time.
            var moved = await WaitForWatermarkPastAsync(crashed, sourceKey, watermark, process, TimeSpan.FromMinutes(2));
            await Task.Delay(random.Next(0, 300));
            if (moved is not null && !process.HasExited)
            {
                process.Kill(); // SIGKILL on Linux
                kills.Add($"attempt {attempt}: killed after the watermark reached {moved:O}");
            }
            else
            {
                // Not killed: say why, so that a run that failed (rather than finished) is visible in the message below.
                var stderr = await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                kills.Add($"attempt {attempt}: not killed, exited with code {process.ExitCode}: {stderr.Trim()}");
            }
            await process.WaitForExitAsync();
            watermark = await ReadWatermarkAsync(crashed, sourceKey) ?? watermark;
        }
        Assert.True(kills.Count(k => k.Contains("killed after", StringComparison.Ordinal)) >= 2,
            $"fewer than 2 runs were killed after committing a window: {string.Join("; ", kills)}");

        using (var final = Start(Args(crashed)))
        {
            await final.WaitForExitAsync();
            Assert.True(final.ExitCode == 0, await final.StandardError.ReadToEndAsync());
        }

        var reference = Path.Combine(_directory, "reference.db");
        var result = await Cli.RunAsync(Args(reference));
        Assert.True(result.ExitCode == 0, result.Error);

        await using var a = await Warehouse.Warehouse.OpenAsync("sqlite:" + crashed);
        await using var b = await Warehouse.Warehouse.OpenAsync("sqlite:" + reference);
        var expected = (await b.ReadHourlyAsync("node")).OrderBy(r => (r.ResourceKey, r.Dimension, r.HourStart)).ToList();
        var actual = (await a.ReadHourlyAsync("node")).OrderBy(r => (r.ResourceKey, r.Dimension, r.HourStart)).ToList();
        Assert.Equal(source.Fleet.Hosts.Count * 36 * 5, expected.Count);
        Assert.Equal(expected, actual);
        Assert.Equal((await b.ReadDailyAsync("node")).Count, (await a.ReadDailyAsync("node")).Count);
        Assert.Empty(await a.ListOpenGapsAsync("node", source.Server.BaseUri.AbsoluteUri.TrimEnd('/')));
    }

    /// <summary>The watermark once it is past <paramref name="previous"/>; null when the process exits first.</summary>
    private static async Task<DateTimeOffset?> WaitForWatermarkPastAsync(string db, string source, DateTimeOffset? previous, Process process, TimeSpan deadline)
    {
        var watch = Stopwatch.StartNew();
        while (!process.HasExited)
        {
            if (await ReadWatermarkAsync(db, source) is { } end && (previous is null || end > previous))
                return end;
            Assert.True(watch.Elapsed < deadline, $"the watermark did not move past {previous:O} within {deadline}");
            await Task.Delay(20);
        }
        return null;
    }

    private static async Task<DateTimeOffset?> ReadWatermarkAsync(string db, string source)
    {
        if (!File.Exists(db))
            return null;
        try
        {
            await using var warehouse = await Warehouse.Warehouse.OpenAsync("sqlite:" + db);
            return (await warehouse.GetWatermarkAsync("node", source))?.End;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Warehouse.WarehouseException)
        {
            return null; // the process has not migrated the schema yet, or holds a lock for a moment
        }
    }

    private static Process Start(string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "headroom.dll"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }
}
