namespace Headroom.Prometheus.Configuration;

/// <summary>A configuration file that cannot be used; the message names the file, line and key.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>A problem at <paramref name="line"/> (0 when unknown), with the key at fault.</summary>
    public ConfigException(string message, int line, string? key = null)
        : base(line > 0 ? $"line {line}: {message}" : message)
    {
        Line = line;
        Key = key;
    }

    /// <summary>
    /// The same problem, placed in <paramref name="file"/>: <c>FILE: line N: message</c>, keeping the line and key
    /// (the line is not repeated in front of the file's name).
    /// </summary>
    public ConfigException(string file, ConfigException inner)
        : base($"{file}: {inner?.Message}", inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Line = inner.Line;
        Key = inner.Key;
    }

    public ConfigException()
    {
    }

    public ConfigException(string message)
        : base(message)
    {
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>1-based line of the problem, 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>The key at fault, if one is.</summary>
    public string? Key { get; }
}
