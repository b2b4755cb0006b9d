namespace Headroom.Servers;

/// <summary>What to start on a port and how to tell that it is ready.</summary>
/// <param name="Name">Server name for exceptions and logs.</param>
/// <param name="SpecForPort">Builds the process spec for a chosen port.</param>
/// <param name="Probe">Returns true once the process on that port is ready.</param>
/// <param name="StartTimeout">How long one attempt may take to become ready.</param>
internal sealed record LaunchPlan(
    string Name,
    Func<int, ProcessSpec> SpecForPort,
    Func<ManagedProcess, int, CancellationToken, Task<bool>> Probe,
    TimeSpan StartTimeout)
{
    /// <summary>Where ports come from; tests replace it to force a port clash.</summary>
    public Func<int> PortSource { get; init; } = FreePort.Next;
}

/// <summary>A started, ready server process and the port it listens on.</summary>
internal sealed record StartedProcess(ManagedProcess Process, int Port);

/// <summary>Starts a server on a free port, retrying with a new port when the port was taken meanwhile.</summary>
internal static class ServerLauncher
{
    public const int MaxAttempts = 3;

    public static async Task<StartedProcess> StartAsync(LaunchPlan plan, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = plan.PortSource();
            var process = ManagedProcess.Start(plan.SpecForPort(port));
            try
            {
                await process.WaitForReadyAsync(ct => plan.Probe(process, port, ct), plan.StartTimeout, cancellationToken).ConfigureAwait(false);
                return new StartedProcess(process, port);
            }
            catch (ServerStartException) when (attempt < MaxAttempts && PortWasTaken(process))
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await process.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private static bool PortWasTaken(ManagedProcess process)
    {
        process.WaitForExit(TimeSpan.FromMilliseconds(200));
        return process.Logs.Contains("address already in use");
    }
}
