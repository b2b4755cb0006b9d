namespace Headroom.Servers;

/// <summary>Finds executables on PATH and in the directories Debian packages install servers into.</summary>
internal static class BinaryLocator
{
    private static readonly string[] s_knownDirectories = ["/usr/local/bin", "/usr/bin", "/usr/sbin", "/sbin", "/bin"];

    /// <summary>Returns the full path of <paramref name="binary"/> or throws <see cref="MissingBinaryException"/>.</summary>
    public static string Find(string binary, string debianPackage, string? alternative = null) =>
        TryFind(binary) ?? throw new MissingBinaryException(binary, debianPackage, alternative);

    public static string? TryFind(string binary)
    {
        if (binary.Contains('/', StringComparison.Ordinal))
            return IsExecutable(binary) ? Path.GetFullPath(binary) : null;

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string[] userDirectories = string.IsNullOrEmpty(home) ? [] : [Path.Combine(home, ".local", "bin"), Path.Combine(home, ".pyenv", "shims")];
        var directories = path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(s_knownDirectories).Concat(userDirectories);
        foreach (var directory in directories)
        {
            var candidate = Path.Combine(directory, binary);
            if (IsExecutable(candidate))
                return candidate;
        }
        return null;
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
            return false;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
