using System.CommandLine;
using System.Globalization;
using Headroom.Etl;
using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;

namespace Headroom.Cli.Configuration;

/// <summary>The options every ETL command shares, and how flags, <c>HEADROOM_*</c> variables and the config file combine.</summary>
internal sealed partial class EtlSettings
{
    public const string DefaultDatabase = "sqlite:headroom.db";

    public Option<string?> Config { get; } = new("--config") { Description = "Config file (default: headroom.yaml in the current directory, if present)" };

    public Option<string?> Source { get; } = new("--source") { Description = "Prometheus-compatible endpoint to read from, e.g. http://127.0.0.1:9090, or cloudwatch to read CloudWatch directly (with --cloudwatch-config) [env HEADROOM_SOURCE]" };

    public Option<string?> Database { get; } = new("--db") { Description = $"Warehouse URL: sqlite:PATH, postgres://USER@HOST:PORT/DB or mysql://USER@HOST:PORT/DB (default {DefaultDatabase}) [env HEADROOM_DB]" };

    public Option<string?> Profile { get; } = new("--profile") { Description = "Profile: node, aws-ec2 or a profile YAML file (default node) [env HEADROOM_PROFILE]" };

    public Option<DateTimeOffset?> From { get; } = new("--from") { Description = "Start: RFC 3339 or relative such as -7d", CustomParser = r => TimeArgument.Parse(r, "--from") };

    public Option<DateTimeOffset?> To { get; } = new("--to") { Description = "End: RFC 3339 or relative such as -1h (default: now minus the safety delay)", CustomParser = r => TimeArgument.Parse(r, "--to") };

    public Option<string?> Username { get; } = new("--source-user") { Description = "Basic-auth user for the source [env HEADROOM_SOURCE_USER]" };

    public Option<string?> PasswordFile { get; } = new("--source-password-file") { Description = "File holding the basic-auth password [env HEADROOM_SOURCE_PASSWORD holds the password itself]" };

    public Option<string?> BearerTokenFile { get; } = new("--source-bearer-token-file") { Description = "File holding a bearer token for the source [env HEADROOM_SOURCE_BEARER_TOKEN]" };

    public Option<string?> CaFile { get; } = new("--source-ca-file") { Description = "PEM file of CA certificates to trust for an https source" };

    public Option<bool> Insecure { get; } = new("--source-insecure-skip-verify") { Description = "Do not verify the source's TLS certificate (testing only)" };

    public IEnumerable<Option> All => [Config, Source, Database, Profile, From, To, Window, CloudWatchConfig, AwsEndpoint, Username, PasswordFile, BearerTokenFile, CaFile, Insecure];

    public void AddTo(Command command)
    {
        foreach (var option in All)
            command.Options.Add(option);
    }

    /// <summary>Loads the config file named by --config, or headroom.yaml when present.</summary>
    public HeadroomConfig LoadConfig(ParseResult parse)
    {
        var path = parse.GetValue(Config);
        if (path is not null)
        {
            if (!File.Exists(path))
                throw new CliException($"the config file {path} does not exist", ExitCodes.Usage);
            return HeadroomConfig.Load(path);
        }
        return File.Exists("headroom.yaml") ? HeadroomConfig.Load("headroom.yaml") : new HeadroomConfig();
    }

    public string DatabaseUrl(ParseResult parse, HeadroomConfig config) => WarehouseLocation.Resolve(parse.GetValue(Database), config);

    public Etl.Profile LoadProfile(ParseResult parse, HeadroomConfig config)
    {
        try
        {
            return ProfileLoader.Load(parse.GetValue(Profile) ?? Env("HEADROOM_PROFILE") ?? config.Profile ?? (IsCloudWatch(parse, config) ? "aws-ec2" : "node"));
        }
        catch (ProfileException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }

    public SourceConnection Connection(ParseResult parse, HeadroomConfig config)
    {
        var url = parse.GetValue(Source) ?? Env("HEADROOM_SOURCE") ?? config.Source.Url
            ?? throw new CliException("no source: give --source URL, set HEADROOM_SOURCE, or set source.url in headroom.yaml", ExitCodes.Usage);
        var password = SourceConnection.ReadSecret(parse.GetValue(PasswordFile), "--source-password-file")
            ?? Env("HEADROOM_SOURCE_PASSWORD")
            ?? config.Source.BasicAuth?.Password
            ?? SourceConnection.ReadSecret(config.Source.BasicAuth?.PasswordFile, "source.basic_auth.password_file");
        var token = SourceConnection.ReadSecret(parse.GetValue(BearerTokenFile), "--source-bearer-token-file")
            ?? Env("HEADROOM_SOURCE_BEARER_TOKEN")
            ?? SourceConnection.ReadSecret(config.Source.BearerTokenFile, "source.bearer_token_file");
        var timeout = TimeSpan.FromMinutes(2);
        if (config.Source.Timeout is { } t && !Durations.TryParseSetting(t, out timeout, out var error))
            throw new CliException($"source.timeout: {error}", ExitCodes.Usage);
        return new SourceConnection(SourceConnection.ParseUrl(url),
            parse.GetValue(Username) ?? Env("HEADROOM_SOURCE_USER") ?? config.Source.BasicAuth?.Username,
            password, token,
            parse.GetValue(CaFile) ?? config.Source.Tls?.CaFile,
            parse.GetValue(Insecure) || (config.Source.Tls?.InsecureSkipVerify ?? false),
            timeout);
    }

    public EtlOptions EtlOptions(ParseResult parse, HeadroomConfig config, Etl.Profile profile, string source)
    {
        var etl = config.Etl;
        var options = new EtlOptions
        {
            Profile = profile,
            Source = source,
            From = parse.GetValue(From),
            To = parse.GetValue(To),
            FirstRunLookback = Duration(etl.FirstRunLookback, "etl.first_run_lookback") ?? TimeSpan.FromDays(7),
            SafetyDelay = Duration(etl.SafetyDelay, "etl.safety_delay") ?? TimeSpan.FromMinutes(5),
            WindowHours = parse.GetValue(Window) ?? etl.WindowHours ?? 24,
            MaxRejectedRatio = etl.MaxRejectedRatio ?? 0.05,
            Validation = new ValidationOptions { MinCompleteness = etl.MinCompleteness ?? 0.5 },
            UseRecordingRules = etl.UseRecordingRules ?? true,
            RuleInterval = Duration(etl.RuleInterval, "etl.rule_interval") ?? TimeSpan.FromMinutes(1),
        };
        CliException.RefuseBadOptions(options.Validate);
        return options;
    }

    public static ExtractionOptions Extraction(HeadroomConfig config) => new()
    {
        MaxConcurrency = config.Etl.Concurrency ?? 4,
        ChunkHours = config.Etl.ChunkHours ?? 24,
    };

    private static TimeSpan? Duration(string? text, string key)
    {
        if (text is null)
            return null;
        return Durations.TryParseSetting(text, out var value, out var error) ? value : throw new CliException($"{key}: {error}", ExitCodes.Usage);
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    public static string Percent(double value) => value.ToString("P1", CultureInfo.InvariantCulture);
}
