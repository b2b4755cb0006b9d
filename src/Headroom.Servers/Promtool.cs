using System.Globalization;

namespace Headroom.Servers;

/// <summary>Runs <c>promtool</c> (Debian package <c>prometheus</c>) and returns its exit code and output.</summary>
public static partial class Promtool
{
    private static string Binary => BinaryLocator.Find("promtool", "prometheus");

    /// <summary><c>promtool check config PATH</c>.</summary>
    public static Task<ToolResult> CheckConfigAsync(string path, CancellationToken cancellationToken = default) =>
        RunAsync(["check", "config", path], cancellationToken);

    /// <summary><c>promtool check rules PATHS...</c>.</summary>
    public static Task<ToolResult> CheckRulesAsync(params string[] paths) => CheckRulesAsync(paths, CancellationToken.None);

    /// <summary><c>promtool check rules PATHS...</c>.</summary>
    public static Task<ToolResult> CheckRulesAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
        RunAsync(["check", "rules", .. paths], cancellationToken);

    /// <summary><c>promtool check metrics</c> with <paramref name="exposition"/> (text format) on stdin.</summary>
    public static Task<ToolResult> CheckMetricsAsync(string exposition, CancellationToken cancellationToken = default) =>
        ToolRunner.RunAsync(Binary, ["check", "metrics"], exposition, cancellationToken);

    /// <summary><c>promtool test rules PATHS...</c> (rule unit test files).</summary>
    public static Task<ToolResult> TestRulesAsync(params string[] paths) => TestRulesAsync(paths, CancellationToken.None);

    /// <summary><c>promtool test rules PATHS...</c> (rule unit test files).</summary>
    public static Task<ToolResult> TestRulesAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
        RunAsync(["test", "rules", .. paths], cancellationToken);

    /// <summary>
    /// <c>promtool tsdb create-blocks-from openmetrics INPUT OUTPUT</c>. The input must end with
    /// <c># EOF</c> and carry timestamps in seconds. <paramref name="maxBlockDuration"/> is passed as the
    /// hidden flag <c>--max-block-duration</c> (accepted by Prometheus 2.42's promtool) when given.
    /// </summary>
    public static Task<ToolResult> CreateBlocksFromOpenMetricsAsync(
        string inputFile, string outputDirectory, TimeSpan? maxBlockDuration = null, CancellationToken cancellationToken = default)
    {
        List<string> arguments = ["tsdb", "create-blocks-from", "openmetrics"];
        if (maxBlockDuration is { } duration)
            arguments.Add("--max-block-duration=" + GoDuration(duration));
        arguments.Add(inputFile);
        arguments.Add(outputDirectory);
        return RunAsync(arguments, cancellationToken);
    }

    /// <summary>
    /// <c>promtool tsdb create-blocks-from rules</c>: evaluates the recording rules in
    /// <paramref name="ruleFiles"/> against the Prometheus at <paramref name="url"/> from
    /// <paramref name="start"/> to <paramref name="end"/> and writes blocks to <paramref name="outputDirectory"/>.
    /// </summary>
    public static Task<ToolResult> CreateBlocksFromRulesAsync(
        Uri url, DateTimeOffset start, DateTimeOffset end, string outputDirectory, params string[] ruleFiles) =>
        CreateBlocksFromRulesAsync(url, start, end, outputDirectory, ruleFiles, CancellationToken.None);

    /// <inheritdoc cref="CreateBlocksFromRulesAsync(Uri, DateTimeOffset, DateTimeOffset, string, string[])"/>
    public static Task<ToolResult> CreateBlocksFromRulesAsync(
        Uri url, DateTimeOffset start, DateTimeOffset end, string outputDirectory, IEnumerable<string> ruleFiles,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        return RunAsync(
            [
                "tsdb", "create-blocks-from", "rules",
                "--url=" + url.GetLeftPart(UriPartial.Path).TrimEnd('/'),
                "--start=" + Rfc3339(start),
                "--end=" + Rfc3339(end),
                "--output-dir=" + outputDirectory,
                .. ruleFiles,
            ],
            cancellationToken);
    }

    /// <summary>
    /// <c>promtool tsdb dump DIRECTORY</c>: every sample of the blocks in <paramref name="blocksDirectory"/>, one
    /// <c>{labels} value timestamp-ms</c> line each (label values quoted as Go's <c>strconv.Quote</c> does). Creates the
    /// empty <c>wal</c> folder that Prometheus 2.42's promtool insists on opening.
    /// </summary>
    public static Task<ToolResult> DumpAsync(string blocksDirectory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.Combine(blocksDirectory, "wal"));
        return RunAsync(["tsdb", "dump", blocksDirectory], cancellationToken);
    }

    private static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Task<ToolResult> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        ToolRunner.RunAsync(Binary, arguments, null, cancellationToken);

    // promtool's flags take Go durations, which have no d or w units (unlike PromQL's).
    private static string GoDuration(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerHour == 0
            ? ((long)duration.TotalHours).ToString(CultureInfo.InvariantCulture) + "h"
            : ((long)Math.Ceiling(duration.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";
}
