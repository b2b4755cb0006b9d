using System.Diagnostics;

namespace Headroom.Servers;

/// <summary>
/// One child process with captured output: started from a <see cref="ProcessSpec"/>, probed until
/// ready, stopped with a graceful signal and then SIGKILL. Registered with
/// <see cref="ProcessRegistry"/> until it has exited.
/// </summary>
internal sealed class ManagedProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_firstProbeDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_maxProbeDelay = TimeSpan.FromMilliseconds(500);
    private readonly Process _process;
    private readonly ProcessSpec _spec;
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopped;
    private int _disposed;

    private ManagedProcess(ProcessSpec spec, Process process)
    {
        _spec = spec;
        _process = process;
    }

    public string Name => _spec.Name;

    public int Id => _process.Id;

    public LogBuffer Logs { get; } = new();

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static ManagedProcess Start(ProcessSpec spec)
    {
        var info = new ProcessStartInfo(spec.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = spec.WorkingDirectory ?? "",
        };
        foreach (var argument in spec.Arguments)
            info.ArgumentList.Add(argument);
        foreach (var (key, value) in spec.Environment)
        {
            if (value is null)
                info.Environment.Remove(key);
            else
                info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(spec, process);
        // A null line is the end of the stream: every line the process wrote has been added.
        process.OutputDataReceived += (_, e) => { if (e.Data is null) managed._outputClosed.TrySetResult(); else managed.Logs.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is null) managed._errorClosed.TrySetResult(); else managed.Logs.Add(e.Data); };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new ServerStartException(spec.Name, $"could not execute {spec.FileName}: {e.Message}", "", e);
        }
        ProcessRegistry.Register(managed);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>
    /// Polls <paramref name="probe"/> until it returns true. Throws <see cref="ServerStartException"/>
    /// with the recent logs when the process exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task WaitForReadyAsync(Func<CancellationToken, Task<bool>> probe, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var delay = s_firstProbeDelay;
        // A short pause before the first probe lets a server that cannot bind its port exit first,
        // so the probe does not mistake whoever holds the port for this server.
        await Task.Delay(s_firstProbeDelay, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (HasExited)
                throw StartFailure($"exited with code {ExitCode} before it was ready");
            if (await TryProbeAsync(probe, cancellationToken).ConfigureAwait(false))
            {
                if (HasExited)
                    throw StartFailure($"exited with code {ExitCode} right after its readiness probe passed");
                return;
            }
            if (stopwatch.Elapsed > timeout)
                throw StartFailure($"not ready after {timeout.TotalSeconds:0.#} s");
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_maxProbeDelay.Ticks));
        }
    }

    public ServerStartException StartFailure(string reason)
    {
        // Let the output readers drain the last lines of a process that just exited: WaitForExit with a timeout does not
        // wait for them (a full run once read the exit before Prometheus' one error line, and the failure showed no logs).
        // Bounded, because a grandchild that inherited the pipes can hold them open after the process is gone.
        if (HasExited)
            Task.WaitAll([_outputClosed.Task, _errorClosed.Task], TimeSpan.FromSeconds(2));
        return new ServerStartException(Name, reason, Logs.Tail(50));
    }

    /// <summary>Sends the graceful stop signal, waits up to the spec's stop timeout, then SIGKILLs.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1 && HasExited)
            return;
        try
        {
            if (!HasExited)
            {
                SignalStop();
                if (!await WaitForExitAsync(_spec.StopTimeout, cancellationToken).ConfigureAwait(false))
                {
                    Kill();
                    await WaitForExitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (HasExited)
                ProcessRegistry.Unregister(this);
        }
    }

    public void SignalStop()
    {
        if (!HasExited)
            Libc.Signal(_process.Id, _spec.StopSignal);
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Synchronous wait used by the exit hook; true when the process has exited.</summary>
    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout) || HasExited;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _process.Dispose();
    }

    private async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            // Also waits for the output pipes to close; a grandchild holding them open must not block us.
            await _process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        return HasExited;
    }

    private static async Task<bool> TryProbeAsync(Func<CancellationToken, Task<bool>> probe, CancellationToken cancellationToken)
    {
        try
        {
            return await probe(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Net.Sockets.SocketException
                                      or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
