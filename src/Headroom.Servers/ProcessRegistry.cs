using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Headroom.Servers;

/// <summary>
/// Remembers every running child and temporary directory so that nothing leaks when the host
/// process exits or is interrupted with Ctrl-C while a test fails or is cancelled.
/// </summary>
internal static class ProcessRegistry
{
    private static readonly TimeSpan s_exitGrace = TimeSpan.FromSeconds(2);
    private static readonly ConcurrentDictionary<ManagedProcess, byte> s_processes = new();
    private static readonly ConcurrentDictionary<TempDirectory, byte> s_directories = new();
    private static int s_hooked;
    private static PosixSignalRegistration[] s_signals = [];

    public static int RunningCountOf(string name) => s_processes.Keys.Count(p => p.Name == name);

    public static void Register(ManagedProcess process)
    {
        Hook();
        s_processes.TryAdd(process, 0);
    }

    public static void Unregister(ManagedProcess process) => s_processes.TryRemove(process, out _);

    public static void Register(TempDirectory directory)
    {
        Hook();
        s_directories.TryAdd(directory, 0);
    }

    public static void Unregister(TempDirectory directory) => s_directories.TryRemove(directory, out _);

    /// <summary>Signals every child to stop, waits briefly, kills the rest and removes temporary directories.</summary>
    public static void StopAll()
    {
        var processes = s_processes.Keys.ToArray();
        foreach (var process in processes)
            process.SignalStop();
        var deadline = DateTime.UtcNow + s_exitGrace;
        foreach (var process in processes)
        {
            var left = deadline - DateTime.UtcNow;
            if (!process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                process.Kill();
            Unregister(process);
        }
        foreach (var directory in s_directories.Keys.ToArray())
            directory.Dispose();
    }

    private static void Hook()
    {
        if (Interlocked.Exchange(ref s_hooked, 1) == 1)
            return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        Console.CancelKeyPress += (_, _) => StopAll();
        if (OperatingSystem.IsWindows())
            return;
        // .NET's default SIGTERM/SIGHUP handling ends the process without raising ProcessExit, so
        // stop the children here; the signal's default action (termination) still follows.
        s_signals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => StopAll()),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => StopAll()),
        ];
    }
}
