using System.Runtime.InteropServices;

namespace Headroom.Servers;

/// <summary>The few POSIX calls .NET does not expose: sending a chosen signal and reading the effective uid.</summary>
internal static partial class Libc
{
    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if the process is gone.</summary>
    public static bool Signal(int pid, int signal) => !OperatingSystem.IsWindows() && kill(pid, signal) == 0;

    /// <summary>True when the current process runs as root (uid 0).</summary>
    public static bool IsRoot => !OperatingSystem.IsWindows() && geteuid() == 0;

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would require AllowUnsafeBlocks for two blittable calls.
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint geteuid();
#pragma warning restore SYSLIB1054
}
