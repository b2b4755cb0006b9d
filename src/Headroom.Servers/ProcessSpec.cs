namespace Headroom.Servers;

/// <summary>How to start one child process.</summary>
/// <param name="Name">Short name used in logs and exceptions, e.g. <c>prometheus</c>.</param>
/// <param name="FileName">Full path of the executable.</param>
/// <param name="Arguments">Arguments, passed without shell interpretation.</param>
internal sealed record ProcessSpec(string Name, string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Working directory; null means the current directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Environment variables added to (or, with a null value, removed from) the inherited environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>The signal that asks the process to shut down gracefully. Default SIGTERM.</summary>
    public int StopSignal { get; init; } = Libc.SigTerm;

    /// <summary>How long to wait after <see cref="StopSignal"/> before SIGKILL. Default 10 s.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs <see cref="FileName"/> as <paramref name="user"/> through <c>setpriv</c> when this process
    /// is root; unchanged otherwise. setpriv execs, so the child's PID is the server's PID.
    /// </summary>
    public ProcessSpec AsUserWhenRoot(string user)
    {
        if (!Libc.IsRoot)
            return this;
        var setpriv = BinaryLocator.Find("setpriv", "util-linux");
        return this with
        {
            FileName = setpriv,
            Arguments = [$"--reuid={user}", $"--regid={user}", "--init-groups", "--", FileName, .. Arguments],
        };
    }
}
