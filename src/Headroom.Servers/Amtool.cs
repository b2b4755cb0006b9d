namespace Headroom.Servers;

/// <summary>Runs <c>amtool</c> (Debian package <c>prometheus-alertmanager</c>) and returns its exit code and output.</summary>
public static class Amtool
{
    private static string Binary => BinaryLocator.Find("amtool", "prometheus-alertmanager");

    /// <summary><c>amtool check-config PATH</c>.</summary>
    public static Task<ToolResult> CheckConfigAsync(string path, CancellationToken cancellationToken = default) =>
        ToolRunner.RunAsync(Binary, ["check-config", path], null, cancellationToken);

    /// <summary>
    /// <c>amtool config routes test --config.file=PATH --verify.receivers=RECEIVER LABEL=VALUE...</c>: exits non-zero
    /// unless an alert with <paramref name="labels"/> is routed to exactly <paramref name="receiver"/>.
    /// </summary>
    public static Task<ToolResult> TestRouteAsync(
        string path, string receiver, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return ToolRunner.RunAsync(Binary,
            ["config", "routes", "test", "--config.file=" + path, "--verify.receivers=" + receiver, .. labels.Select(static l => $"{l.Key}={l.Value}")],
            null, cancellationToken);
    }
}
