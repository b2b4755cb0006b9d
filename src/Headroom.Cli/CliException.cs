namespace Headroom.Cli;

/// <summary>An error to report to the user as one line on stderr, with the exit code to leave with.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
