using System.Diagnostics;

namespace Headroom.Cli.Tests;

/// <summary>
/// An ETL load run as a real <c>headroom</c> child process again and again, each run killed with SIGKILL once it has committed
/// a window of its own (its watermark moved), at a random point of the next one. A fixed delay after the start could land
/// before the first commit on a loaded machine, every time; waiting for the watermark cannot.
/// </summary>
internal static class SigkillRuns
{
    /// <summary>What the attempts did, one line each, and the watermark they left.</summary>
    public sealed record Outcome(IReadOnlyList<string> Attempts, DateTimeOffset? Watermark)
    {
        /// <summary>Attempts killed after committing a window.</summary>
        public int Killed => Attempts.Count(a => a.Contains("killed after", StringComparison.Ordinal));
    }

    public static async Task<Outcome> RunAsync(Func<Process> start, string db, string profile, string source, int attempts, Random random, int maxDelayMilliseconds)
    {
        var lines = new List<string>();
        DateTimeOffset? watermark = null;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            using var process = start();
            var moved = await WaitForWatermarkPastAsync(db, profile, source, watermark, process, TimeSpan.FromMinutes(2));
            await Task.Delay(random.Next(0, maxDelayMilliseconds));
            if (moved is not null && !process.HasExited)
            {
                process.Kill(); // SIGKILL on Linux
                lines.Add($"attempt {attempt}: killed after the watermark reached {moved:O}");
            }
            else
            {
                // Not killed: say why, so that a run that failed (rather than finished) is visible in the test's message.
                var stderr = await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                lines.Add($"attempt {attempt}: not killed, exited with code {process.ExitCode}: {stderr.Trim()}");
            }
            await process.WaitForExitAsync();
            watermark = await ReadWatermarkAsync(db, profile, source) ?? watermark;
        }
        return new Outcome(lines, watermark);
    }

    /// <summary>The watermark once it is past <paramref name="previous"/>; null when the process exits first.</summary>
    private static async Task<DateTimeOffset?> WaitForWatermarkPastAsync(string db, string profile, string source, DateTimeOffset? previous, Process process, TimeSpan deadline)
    {
        var watch = Stopwatch.StartNew();
        while (!process.HasExited)
        {
            if (await ReadWatermarkAsync(db, profile, source) is { } end && (previous is null || end > previous))
                return end;
            Assert.True(watch.Elapsed < deadline, $"the watermark did not move past {previous:O} within {deadline}");
            await Task.Delay(20);
        }
        return null;
    }

    public static async Task<DateTimeOffset?> ReadWatermarkAsync(string db, string profile, string source)
    {
        if (!File.Exists(db))
            return null;
        try
        {
            await using var warehouse = await Warehouse.Warehouse.OpenAsync("sqlite:" + db);
            return (await warehouse.GetWatermarkAsync(profile, source))?.End;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Warehouse.WarehouseException)
        {
            return null; // the process has not migrated the schema yet, or holds a lock for a moment
        }
    }
}
