namespace Headroom.Servers;

/// <summary>The parts every server holds: its process, its port and its temporary directory.</summary>
internal sealed class RunningServer(StartedProcess started, TempDirectory? directory) : IAsyncDisposable
{
    public ManagedProcess Process => started.Process;

    public int Port => started.Port;

    public Uri BaseUri { get; } = Probes.Loopback(started.Port);

    public TempDirectory? Directory => directory;

    public string RecentLogs => Process.Logs.Tail(200);

    /// <summary>Starts <paramref name="plan"/>; deletes <paramref name="directory"/> if the start fails.</summary>
    public static async Task<RunningServer> StartAsync(LaunchPlan plan, TempDirectory? directory, CancellationToken cancellationToken)
    {
        try
        {
            return new RunningServer(await ServerLauncher.StartAsync(plan, cancellationToken).ConfigureAwait(false), directory);
        }
        catch
        {
            directory?.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        directory?.Dispose();
    }
}
