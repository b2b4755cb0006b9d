using System.Text.RegularExpressions;
using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Headroom.Etl;

/// <summary>Loads profiles: the built-in ones by name, others from YAML files, with errors that name the line and the fix.</summary>
public static partial class ProfileLoader
{
    /// <summary>Names of the built-in profiles.</summary>
    public static IReadOnlyList<string> BuiltIn { get; } =
        ["node", "aws-ec2", "aws-rds", "aws-ebs", "aws-elb", "aws-nat", "aws-lambda", "aws-elasticache", "aws-dynamodb", "aws-redshift"];

    /// <summary>Metadata fields a source may give: the warehouse columns, then fields kept in the resource's metadata.</summary>
    internal static readonly IReadOnlyList<string> MetadataFieldNames = Headroom.Etl.MetadataFields.All;

    /// <summary>A built-in profile by name, or a profile file by path.</summary>
    /// <exception cref="ProfileException">Unknown name, unreadable file or invalid content.</exception>
    public static Profile Load(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        if (BuiltIn.Contains(nameOrPath))
        {
            using var stream = typeof(ProfileLoader).Assembly.GetManifestResourceStream($"profiles/{nameOrPath}.yaml")!;
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd(), $"built-in profile '{nameOrPath}'");
        }
        if (!File.Exists(nameOrPath))
            throw new ProfileException($"unknown profile '{nameOrPath}': use one of {string.Join(", ", BuiltIn)} or the path of a profile YAML file");
        try
        {
            return Parse(File.ReadAllText(nameOrPath), nameOrPath);
        }
        catch (IOException e)
        {
            throw new ProfileException($"{nameOrPath}: cannot read the profile: {e.Message}", e);
        }
    }

    /// <summary>Parses and validates profile YAML; <paramref name="source"/> names it in errors.</summary>
    public static Profile Parse(string yaml, string source)
    {
        ProfileDocument document;
        try
        {
            document = new DeserializerBuilder()
                .WithNamingConvention(UnderscoredNamingConvention.Instance)
                .Build()
                .Deserialize<ProfileDocument?>(yaml) ?? throw new ProfileException($"{source}: the profile is empty");
        }
        catch (YamlException e)
        {
            var message = e.InnerException?.Message ?? e.Message;
            var match = UnknownProperty().Match(message);
            if (match.Success)
                message = $"unknown key '{match.Groups[1].Value}'; see docs/etl.md for the profile format";
            else if (WrongKind(e, yaml) is { } kind)
                message = kind;
            throw new ProfileException($"{source}:{e.Start.Line}: {message}", e);
        }
        return Validate(document, source);
    }

    private static Profile Validate(ProfileDocument d, string source)
    {
        string Fail(string message) => throw new ProfileException($"{source}: {message}");

        if (string.IsNullOrWhiteSpace(d.Name) || !NamePattern().IsMatch(d.Name))
            Fail("'name' is required: lower-case letters, digits, '-' and '_'");
        if (d.Identity is not { Count: > 0 })
            Fail("'identity' must list at least one label that identifies a resource, e.g. [instance]");
        foreach (var label in d.Identity!)
        {
            if (!LabelPattern().IsMatch(label))
                Fail($"identity label '{label}' is not a valid label name");
        }

        var resolution = TimeSpan.FromMinutes(1);
        if (d.Resolution is not null)
        {
            if (!Durations.TryParseSetting(d.Resolution, out resolution, out var error))
                Fail($"resolution: {error}");
            if (resolution < TimeSpan.FromSeconds(1) || TimeSpan.FromHours(1).Ticks % resolution.Ticks != 0)
                Fail($"resolution must divide one hour evenly (e.g. 15s, 1m, 5m), got {d.Resolution}");
        }

        var info = d.Info is null ? null : ParseSource(d.Info, "info", source);
        var sources = new List<InfoSource>();
        foreach (var (item, index) in (d.Metadata ?? []).Select((x, n) => (x, n)))
        {
            var parsed = ParseSource(item, $"metadata[{index}]", source);
            if (parsed.Join is { } join && !MetadataFieldNames.Contains(join.Field))
                Fail($"metadata[{index}].join.field: unknown field '{join.Field}'; use {string.Join(", ", MetadataFieldNames)}");
            sources.Add(parsed);
        }

        if (d.Dimensions is not { Count: > 0 })
            Fail("'dimensions' must list at least one dimension (name, unit, expr)");
        var dimensions = new List<Dimension>();
        foreach (var (dim, index) in d.Dimensions!.Select((x, n) => (x, n)))
        {
            var where = $"dimensions[{index}]";
            if (string.IsNullOrWhiteSpace(dim.Name) || !DimensionPattern().IsMatch(dim.Name))
                Fail($"{where}.name is required: lower-case letters, digits and '_', e.g. cpu");
            if (dimensions.Any(x => x.Name == dim.Name))
                Fail($"{where}: dimension '{dim.Name}' appears twice");
            if (string.IsNullOrWhiteSpace(dim.Expr))
                Fail($"{where} ({dim.Name}): 'expr' is required: a PromQL expression with one series per resource");
            var unit = ParseUnit(dim.Unit) ?? throw new ProfileException(
                $"{source}: {where} ({dim.Name}): unit '{dim.Unit}' is not one of ratio, percent, bytes_per_second, bytes, count");
            if (dim.Record is not null && !RecordPattern().IsMatch(dim.Record))
                Fail($"{where} ({dim.Name}): record '{dim.Record}' must follow level:metric:operations, e.g. instance:node_cpu_utilisation:rate5m");
            dimensions.Add(new Dimension(dim.Name!, unit, dim.Expr!.Trim(), dim.Record));
        }

        return new Profile
        {
            Name = d.Name!,
            Description = d.Description ?? "",
            Identity = d.Identity!,
            Info = info,
            MetadataSources = sources,
            Resolution = resolution,
            Dimensions = dimensions,
        };
    }

    private static InfoSource ParseSource(InfoDocument i, string where, string source)
    {
        string Fail(string message) => throw new ProfileException($"{source}: {where}.{message}");

        // A selector lets one profile read the info series of several namespaces (aws-elb: ALB, NLB and classic).
        var metric = i.Metric?.Trim() ?? "";
        if (metric.Length == 0 || !(MetricPattern().IsMatch(metric) || SelectorPattern().IsMatch(metric)))
            Fail("metric must be a metric name, e.g. headroom_host_info, or a selector, e.g. {__name__=~\"aws_(elb|alb)_info\"}");
        if (i.Match is not null && !MetricPattern().IsMatch(metric))
            Fail($"match: '{i.Match}' needs metric to be a metric name; with a selector, put the matchers in the selector");
        var metadata = i.Metadata ?? [];
        foreach (var (field, label) in metadata)
        {
            if (!MetadataFieldNames.Contains(field))
                Fail($"metadata: unknown field '{field}'; use {string.Join(", ", MetadataFieldNames)}");
            if (!LabelPattern().IsMatch(label ?? ""))
                Fail($"metadata: '{label}' (for {field}) is not a valid label name");
        }
        if (i.Extra is not null)
        {
            try
            {
                _ = new Regex(i.Extra, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                Fail($"extra is not a regular expression: {e.Message}");
            }
        }
        if (i.Match is not null)
        {
            try
            {
                _ = Headroom.PromQL.Syntax.Parser.Parse($"{metric}{{{i.Match}}}");
            }
            catch (Exception e) when (e is not ProfileException)
            {
                Fail($"match: '{i.Match}' is not a list of label matchers (e.g. system_vendor=\"Amazon EC2\"): {e.Message}");
            }
        }
        MetadataJoin? join = null;
        if (i.Join is { } j)
        {
            if (string.IsNullOrWhiteSpace(j.Field) || string.IsNullOrWhiteSpace(j.Label) || !LabelPattern().IsMatch(j.Label))
                Fail("join needs 'field' (a metadata field, e.g. instance_id) and 'label' (a label of the series, e.g. name)");
            join = new MetadataJoin(j.Field!, j.Label!);
        }
        return new InfoSource(metric, metadata, i.Extra) { Name = i.Name, Match = i.Match, Join = join };
    }

    private static Unit? ParseUnit(string? text) => text switch
    {
        "ratio" => Unit.Ratio,
        "percent" => Unit.Percent,
        "bytes_per_second" => Unit.BytesPerSecond,
        "bytes" => Unit.Bytes,
        "count" => Unit.Count,
        _ => null,
    };

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-z][a-z0-9_]*$")]
    private static partial Regex DimensionPattern();

    [GeneratedRegex(@"^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricPattern();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)?\{[^{}]+\}$")]
    private static partial Regex SelectorPattern();

    [GeneratedRegex(@"^[a-zA-Z_][a-zA-Z0-9_]*(:[a-zA-Z0-9_]+){2,}$")]
    private static partial Regex RecordPattern();

    [GeneratedRegex(@"Property '([^']+)' not found")]
    private static partial Regex UnknownProperty();

    // YamlDotNet fills these; validation turns them into a Profile.
    private sealed class ProfileDocument
    {
        public string? Name { get; set; }

        public string? Description { get; set; }

        public List<string>? Identity { get; set; }

        public InfoDocument? Info { get; set; }

        public List<InfoDocument>? Metadata { get; set; }

        public string? Resolution { get; set; }

        public List<DimensionDocument>? Dimensions { get; set; }
    }

    private sealed class InfoDocument
    {
        public string? Metric { get; set; }

        public Dictionary<string, string>? Metadata { get; set; }

        public string? Extra { get; set; }

        public string? Name { get; set; }

        public string? Match { get; set; }

        public JoinDocument? Join { get; set; }
    }

    private sealed class JoinDocument
    {
        public string? Field { get; set; }

        public string? Label { get; set; }
    }

    private sealed class DimensionDocument
    {
        public string? Name { get; set; }

        public string? Unit { get; set; }

        public string? Expr { get; set; }

        public string? Record { get; set; }
    }
}
