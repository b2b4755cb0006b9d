namespace Headroom.Prometheus.Configuration;

/// <summary>Reads a configuration file with a reader of its text, so every error names the file.</summary>
public static class ConfigFile
{
    /// <summary>
    /// Reads <paramref name="path"/> and parses it with <paramref name="read"/>; an unreadable file and every
    /// <see cref="ConfigException"/> of the parser come back naming the file (and the parser's line and key).
    /// </summary>
    /// <exception cref="ConfigException">The file cannot be read or is not valid.</exception>
    public static T Read<T>(string path, Func<string, T> read)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(read);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read {path}: {e.Message}", e);
        }
        try
        {
            return read(text);
        }
        catch (ConfigException e)
        {
            throw new ConfigException(path, e);
        }
    }
}
