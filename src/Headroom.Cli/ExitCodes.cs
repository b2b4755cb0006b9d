namespace Headroom.Cli;

/// <summary>The process exit codes of <c>headroom</c>. Scripts may rely on them.</summary>
internal static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Success = 0;

    /// <summary>The work failed (a server answered an error, a file could not be written, data was bad).</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong: unknown flag, bad value, missing argument.</summary>
    public const int Usage = 2;

    /// <summary>Something the command needs is missing from the machine (a binary, a package).</summary>
    public const int MissingDependency = 3;

    /// <summary>Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
