namespace Headroom.Cli;

/// <summary>An error to report to the user as one line on stderr, with the exit code to leave with.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>
    /// Runs an options record's <c>Validate</c>, whose <see cref="ArgumentException"/> names a setting the command line
    /// chose: a usage error with that message, not a crash with a stack trace.
    /// </summary>
    public static void RefuseBadOptions(Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message.Split(" (Parameter", 2)[0], ExitCodes.Usage);
        }
    }
}
