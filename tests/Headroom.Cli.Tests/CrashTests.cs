using System.Diagnostics;
using Headroom.Testing;
using Headroom.Warehouse;

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
        // Each commit of the killed runs sleeps 60 ms inside its transaction, before the hourly rows: on a fast machine a
        // window takes a few milliseconds and 4 kills up to 300 ms apart could otherwise find the load finished.
        var slowed = new Dictionary<string, string> { [Failpoint.Variable] = "warehouse.commit.hourly=sleep(60)" };
        var runs = await SigkillRuns.RunAsync(() => Process.Start(Cli.StartInfo(slowed, Args(crashed)))!, crashed, "node", sourceKey, attempts: 4, new Random(20261123), maxDelayMilliseconds: 300);
        Assert.True(runs.Killed >= 2, $"fewer than 2 runs were killed after committing a window: {string.Join("; ", runs.Attempts)}");
        Assert.True(runs.Watermark < FleetPrometheus.End, $"the killed runs loaded everything (watermark {runs.Watermark:O}): nothing was left for the rerun; {string.Join("; ", runs.Attempts)}");

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

    private static Process Start(string[] args) => Process.Start(Cli.StartInfo(new Dictionary<string, string>(), args))!;
}
