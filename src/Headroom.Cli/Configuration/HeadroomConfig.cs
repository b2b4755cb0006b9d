using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Headroom.Cli.Configuration;

/// <summary>
/// <c>headroom.yaml</c>: the settings the ETL commands and <c>headroom serve</c> share. Flags override it,
/// and <c>HEADROOM_*</c> variables override it too (flags win over variables). See docs/etl.md.
/// </summary>
internal sealed partial class HeadroomConfig
{
    public SourceConfig Source { get; set; } = new();

    public string? Db { get; set; }

    public string? Profile { get; set; }

    public string? Pushgateway { get; set; }

    public EtlConfig Etl { get; set; } = new();

    public ServeConfig Serve { get; set; } = new();

    /// <summary>Reads a config file; every problem names the file, the line and the key.</summary>
    public static HeadroomConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the config file {path}: {e.Message}", ExitCodes.Usage);
        }
        HeadroomConfig config;
        try
        {
            config = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build()
                .Deserialize<HeadroomConfig?>(text) ?? new HeadroomConfig();
        }
        catch (YamlException e)
        {
            throw new CliException($"{path}:{e.Start.Line}: {Describe(e, text)}", ExitCodes.Usage);
        }
        if (FirstProblem(config, text) is { } problem)
            throw new CliException($"{path}:{problem}", ExitCodes.Usage);
        return config;
    }
}

internal sealed class SourceConfig
{
    public string? Url { get; set; }

    public BasicAuthConfig? BasicAuth { get; set; }

    public string? BearerTokenFile { get; set; }

    /// <summary>With <c>url: cloudwatch</c>: the YACE configuration that says what to read.</summary>
    public string? CloudwatchConfig { get; set; }

    public TlsConfig? Tls { get; set; }

    public string? Timeout { get; set; }
}

internal sealed class BasicAuthConfig
{
    public string? Username { get; set; }

    public string? Password { get; set; }

    public string? PasswordFile { get; set; }
}

internal sealed class TlsConfig
{
    public string? CaFile { get; set; }

    public bool InsecureSkipVerify { get; set; }
}

internal sealed class EtlConfig
{
    public string? FirstRunLookback { get; set; }

    public string? SafetyDelay { get; set; }

    public int? WindowHours { get; set; }

    public double? MaxRejectedRatio { get; set; }

    public double? MinCompleteness { get; set; }

    public int? Concurrency { get; set; }

    public int? ChunkHours { get; set; }

    public bool? UseRecordingRules { get; set; }

    public string? RuleInterval { get; set; }
}

internal sealed class ServeConfig
{
    public string? Listen { get; set; }

    public string? Interval { get; set; }
}
