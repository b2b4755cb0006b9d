namespace Headroom.Harness;

/// <summary>Finds executables on PATH and in the directories Debian packages install servers into.</summary>
internal static class BinaryLocator
{
    private static readonly string[] s_knownDirectories = ["/usr/local/bin", "/usr/bin", "/usr/sbin", "/sbin", "/bin"];

    /// <summary>Returns the full path of <paramref name="binary"/> or throws <see cref="MissingBinaryException"/>.</summary>
    public static string Find(string binary, string debianPackage, string? alternative = null) =>
        TryFind(binary) ?? throw new MissingBinaryException(binary, debianPackage, alternative);

    /// <summary>Finds a PostgreSQL server binary, preferring the highest installed major version.</summary>
    public static string FindPostgres(string binary)
    {
        foreach (var directory in PostgresBinDirectories())
        {
            var candidate = Path.Combine(directory, binary);
            if (IsExecutable(candidate))
                return candidate;
        }
        return Find(binary, "postgresql");
    }

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

    /// <summary>/usr/lib/postgresql/*/bin, highest numeric version first.</summary>
    internal static IEnumerable<string> PostgresBinDirectories()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
            return [];
        return Directory.GetDirectories(root)
            .Select(d => (Directory: d, Version: double.TryParse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(d => d.Version >= 0)
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Directory, "bin"));
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
            return false;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
