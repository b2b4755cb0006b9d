using System.Runtime.InteropServices;

namespace Headroom.Prometheus.ServerApi;

/// <summary>
/// SIGHUP as a reload request, as Prometheus, Alertmanager and the other servers of the ecosystem take it.
/// </summary>
public static class ReloadSignal
{
    private const int SigHup = 1;
    private static readonly nint s_default = 0;

    /// <summary>
    /// Calls <paramref name="reload"/> on every SIGHUP until the registration is disposed; null on Windows. A process
    /// started with SIGHUP ignored (under <c>nohup</c>, or by a supervisor that ignores it) inherits the ignore, and
    /// .NET would then never deliver the signal; like Go's <c>signal.Notify</c>, which Prometheus relies on, this sets
    /// the signal back to its default first, so a reload asked for is never lost.
    /// </summary>
    public static IDisposable? Register(Action reload)
    {
        ArgumentNullException.ThrowIfNull(reload);
        if (OperatingSystem.IsWindows())
            return null;
        signal(SigHup, s_default);
        return PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            // Handled: the default action of SIGHUP would end the process.
            context.Cancel = true;
            reload();
        });
    }

    [DllImport("libc")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would require AllowUnsafeBlocks for one blittable call.
    private static extern nint signal(int sig, nint handler);
#pragma warning restore SYSLIB1054
}
