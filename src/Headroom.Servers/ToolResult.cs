namespace Headroom.Servers;

/// <summary>The outcome of running a command-line tool such as promtool.</summary>
/// <param name="ExitCode">The process exit code; 0 means success.</param>
/// <param name="StandardOutput">Everything the tool wrote to stdout.</param>
/// <param name="StandardError">Everything the tool wrote to stderr.</param>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>True when <see cref="ExitCode"/> is 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>Returns this result, or throws <see cref="InvalidOperationException"/> with the output when the exit code is not 0.</summary>
    public ToolResult EnsureSuccess() =>
        Succeeded
            ? this
            : throw new InvalidOperationException(
                $"Tool failed with exit code {ExitCode}.{Environment.NewLine}stdout:{Environment.NewLine}{StandardOutput}{Environment.NewLine}stderr:{Environment.NewLine}{StandardError}");
}
