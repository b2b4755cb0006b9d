namespace Headroom.Servers;

/// <summary>
/// Thrown when a server or tool binary cannot be found on <c>PATH</c> or in the known install
/// directories. The message names the Debian package that provides it.
/// </summary>
public sealed class MissingBinaryException : Exception
{
    /// <summary>Creates the exception for <paramref name="binary"/>, provided by <paramref name="debianPackage"/>.</summary>
    public MissingBinaryException(string binary, string debianPackage, string? alternative = null)
        : base(FormatMessage(binary, debianPackage, alternative))
    {
        Binary = binary;
        DebianPackage = debianPackage;
    }

    /// <summary>The executable name that was looked for, e.g. <c>prometheus</c>.</summary>
    public string Binary { get; }

    /// <summary>The Debian package that installs <see cref="Binary"/>, e.g. <c>prometheus</c>.</summary>
    public string DebianPackage { get; }

    private static string FormatMessage(string binary, string debianPackage, string? alternative) =>
        $"{binary} not found on PATH: install the Debian package '{debianPackage}' (apt-get install {debianPackage})"
        + (alternative is null ? "" : $" or {alternative}");
}
