namespace Headroom.Servers;

/// <summary>
/// Thrown when a server exits or does not become ready in time. The message ends with the last
/// lines the server wrote to stdout and stderr.
/// </summary>
public sealed class ServerStartException : Exception
{
    /// <summary>Creates the exception; <paramref name="recentLogs"/> is appended to the message.</summary>
    public ServerStartException(string serverName, string reason, string recentLogs, Exception? innerException = null)
        : base($"{serverName} failed to start: {reason}{Environment.NewLine}--- last log lines of {serverName} ---{Environment.NewLine}{recentLogs}", innerException)
    {
        ServerName = serverName;
        RecentLogs = recentLogs;
    }

    /// <summary>The server that failed, e.g. <c>prometheus</c>.</summary>
    public string ServerName { get; }

    /// <summary>The last log lines captured from the server's stdout and stderr.</summary>
    public string RecentLogs { get; }
}
