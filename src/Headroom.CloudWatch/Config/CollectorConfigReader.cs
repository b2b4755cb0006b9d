using System.Globalization;
using System.Text.RegularExpressions;
using Headroom.Prometheus.Configuration;
using YamlDotNet.RepresentationModel;

namespace Headroom.CloudWatch.Config;

/// <summary>
/// Reads YACE's configuration format (apiVersion v1alpha1) strictly: a key Headroom does not know, a value of the wrong
/// kind or a job without what it needs is an error that names the key and its line.
/// </summary>
public static class CollectorConfigReader
{
    /// <summary>YACE's default period and length for a metric that sets neither (seconds).</summary>
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Delay for metrics with periods of one minute or less when none is set: CloudWatch's last minute is often still
    /// filling, so the window ends two minutes back.
    /// </summary>
    public static readonly TimeSpan ShortPeriodDelay = TimeSpan.FromSeconds(120);

    /// <summary>
    /// YACE options Headroom does not implement, with the reason given when a configuration sets one: refused by name
    /// rather than ignored, so a configuration never seems to do what it does not.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> Refused = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["exportAllDataPoints"] = "Headroom exports the newest datapoint of each query, once; exporting every datapoint of the window needs out-of-order ingestion in Prometheus. Remove it, or set period equal to length to get one datapoint per query",
    };

    private static readonly Regex s_percentile = new(@"^p\d{1,2}(\.\d+)?$|^p100$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly string[] s_statistics = ["Average", "Sum", "Minimum", "Maximum", "SampleCount"];

    /// <summary>Reads a configuration file.</summary>
    /// <exception cref="ConfigException">The file is not valid; the message names the file, line and key.</exception>
    public static CollectorConfig ReadFile(string path) => ConfigFile.Read(path, Read);

    /// <summary>Reads configuration text.</summary>
    /// <exception cref="ConfigException">The text is not valid.</exception>
    public static CollectorConfig Read(string text)
    {
        var root = YamlMap.Parse(text, "the file is empty; it needs at least 'apiVersion: v1alpha1' and a job");
        var version = root.String("apiVersion") ?? throw new ConfigException("apiVersion is required (apiVersion: v1alpha1)", root.Line, "apiVersion");
        if (version != "v1alpha1")
            throw new ConfigException($"apiVersion '{version}' is not supported; use v1alpha1", YamlMap.LineOf(root.Get("apiVersion")!), "apiVersion");
        var stsRegion = root.String("sts-region");

        var discovery = new List<DiscoveryJob>();
        if (root.Get("discovery") is { } discoveryNode)
        {
            var map = new YamlMap(discoveryNode, "discovery");
            var legacyTags = LegacyExportedTags(map);
            foreach (var (job, _) in map.Maps("jobs"))
                discovery.Add(ReadDiscoveryJob(job, legacyTags));
            map.EnsureAllKeysKnown();
        }
        var statics = root.Maps("static").Select(j => ReadStaticJob(j.Map)).ToList();
        var custom = root.Maps("customNamespace").Select(j => ReadCustomNamespaceJob(j.Map)).ToList();
        root.EnsureAllKeysKnown();

        if (discovery.Count + statics.Count + custom.Count == 0)
            throw new ConfigException("no jobs: add discovery.jobs, static or customNamespace", root.Line);
        return new CollectorConfig { StsRegion = stsRegion, Discovery = discovery, Static = statics, CustomNamespace = custom };
    }

    /// <summary>Older YACE configs list exported tags per service under <c>discovery.exportedTagsOnMetrics</c>.</summary>
    private static Dictionary<string, IReadOnlyList<string>> LegacyExportedTags(YamlMap discovery)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (discovery.Get("exportedTagsOnMetrics") is not { } node)
            return result;
        var map = new YamlMap(node, "discovery.exportedTagsOnMetrics");
        foreach (var (key, _) in map.Entries)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            var service = ServiceType.Find(name) ?? throw new ConfigException($"discovery.exportedTagsOnMetrics: unknown service '{name}'; {Known()}", YamlMap.LineOf(key), name);
            result[service.Namespace] = map.Strings(name) ?? [];
        }
        return result;
    }

    private static DiscoveryJob ReadDiscoveryJob(YamlMap job, Dictionary<string, IReadOnlyList<string>> legacyTags)
    {
        var typeName = job.RequiredString("type");
        var service = ServiceType.Find(typeName)
            ?? throw new ConfigException($"{job.Child("type")}: unknown service '{typeName}'; {Known()}", YamlMap.LineOf(job.Get("type")!), "type");
        var common = ReadCommon(job, service.Namespace);
        var searchTags = job.Maps("searchTags").Select(t =>
        {
            var key = t.Map.RequiredString("key");
            var pattern = t.Map.RequiredString("value");
            Regex regex;
            try
            {
                regex = new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new ConfigException($"{t.Map.Child("value")}: '{pattern}' is not a valid regular expression: {e.Message}", YamlMap.LineOf(t.Map.Get("value")!), "value");
            }
            t.Map.EnsureAllKeysKnown();
            return new SearchTag(key, regex);
        }).ToList();
        if (searchTags.Count > 0 && !service.IsTaggable)
            throw new ConfigException($"{job.Child("searchTags")}: {service.Namespace} resources are not in the Resource Groups Tagging API, so Headroom cannot select them by tag; remove searchTags (every listed metric is collected, as name=\"global\") or use a static job with their dimensions", KeyLine(job, "searchTags"), "searchTags");
        var exported = job.Strings("exportedTagsOnMetrics") ?? legacyTags.GetValueOrDefault(service.Namespace) ?? [];
        var requirements = job.Strings("dimensionNameRequirements") ?? [];
        // Headroom always puts region, account_id and custom tags on info series; true asks for what it does anyway.
        _ = job.Bool("includeContextOnInfoMetrics");
        var enhanced = job.Maps("enhancedMetrics").Select(e =>
        {
            var name = e.Map.RequiredString("name");
            e.Map.EnsureAllKeysKnown();
            return EnhancedMetrics.Problem(service.Namespace, name) is { } problem
                ? throw new ConfigException($"{e.Map.Path}: {problem}", e.Map.Line, "name")
                : name;
        }).ToList();
        job.EnsureAllKeysKnown();
        return new DiscoveryJob
        {
            Service = service,
            Namespace = service.Namespace,
            Regions = common.Regions,
            Roles = common.Roles,
            CustomTags = common.CustomTags,
            Metrics = common.Metrics,
            RecentlyActiveOnly = common.RecentlyActiveOnly,
            Line = job.Line,
            SearchTags = searchTags,
            ExportedTagsOnMetrics = exported,
            DimensionNameRequirements = requirements,
            EnhancedMetrics = enhanced,
        };
    }

    private static StaticJob ReadStaticJob(YamlMap job)
    {
        var name = job.RequiredString("name");
        var ns = job.RequiredString("namespace");
        var common = ReadCommon(job, ns);
        // No dimensions queries the metric's namespace-wide aggregate (e.g. a Lambda@Edge function's replicas by region).
        var dimensions = job.Maps("dimensions").Select(d => ReadDimension(d.Map)).ToList();
        job.EnsureAllKeysKnown();
        return new StaticJob
        {
            Name = name, Namespace = ns, Regions = common.Regions, Roles = common.Roles, CustomTags = common.CustomTags,
            Metrics = common.Metrics, Line = job.Line, Dimensions = dimensions,
        };
    }

    private static CustomNamespaceJob ReadCustomNamespaceJob(YamlMap job)
    {
        var name = job.RequiredString("name");
        var ns = job.RequiredString("namespace");
        var common = ReadCommon(job, ns);
        var requirements = job.Strings("dimensionNameRequirements") ?? [];
        job.EnsureAllKeysKnown();
        return new CustomNamespaceJob
        {
            Name = name, Namespace = ns, Regions = common.Regions, Roles = common.Roles, CustomTags = common.CustomTags,
            Metrics = common.Metrics, Line = job.Line, DimensionNameRequirements = requirements, RecentlyActiveOnly = common.RecentlyActiveOnly,
        };
    }

    private sealed record Common(IReadOnlyList<string> Regions, IReadOnlyList<RoleConfig> Roles, IReadOnlyList<DimensionConfig> CustomTags, IReadOnlyList<MetricConfig> Metrics, bool RecentlyActiveOnly);

    /// <summary>Regions, roles, custom tags, job-level metric defaults and the metrics, shared by every kind of job.</summary>
    private static Common ReadCommon(YamlMap job, string ns)
    {
        RefuseUnimplemented(job);
        var regions = job.Strings("regions");
        if (regions is null || regions.Count == 0)
            throw new ConfigException($"{job.Child("regions")} is required: list at least one region, e.g. [us-east-1]", job.Line, "regions");
        var roles = job.Maps("roles").Select(r =>
        {
            var arn = r.Map.String("roleArn");
            if (arn is not null && !arn.StartsWith("arn:", StringComparison.Ordinal))
                throw new ConfigException($"{r.Map.Child("roleArn")}: '{arn}' is not an ARN (arn:aws:iam::ACCOUNT:role/NAME)", YamlMap.LineOf(r.Map.Get("roleArn")!), "roleArn");
            var role = new RoleConfig(arn, r.Map.String("externalId"));
            r.Map.EnsureAllKeysKnown();
            return role;
        }).ToList();
        var customTags = job.Maps("customTags").Select(t => ReadDimension(t.Map)).ToList();

        var defaults = ReadTiming(job, null);
        var rounding = job.Seconds("roundingPeriod", 1);
        var recentlyActive = job.Bool("recentlyActiveOnly") ?? false;
        var metrics = job.Maps("metrics").Select(m =>
        {
            var name = m.Map.RequiredString("name");
            var timing = ReadTiming(m.Map, defaults);
            RefuseUnimplemented(m.Map);
            m.Map.EnsureAllKeysKnown();
            var statistics = timing.Statistics ?? throw new ConfigException($"{m.Map.Child("statistics")} is required for metric '{name}' (or set statistics on the job)", m.Map.Line, "statistics");
            var period = timing.Period ?? DefaultPeriod;
            var length = timing.Length ?? period;
            if (length < period)
                throw new ConfigException($"{m.Map.Path}: length ({length.TotalSeconds:F0}s) is shorter than period ({period.TotalSeconds:F0}s); no datapoint would fit", m.Map.Line, "length");
            return new MetricConfig
            {
                Name = name,
                Namespace = ns,
                Statistics = statistics,
                Period = period,
                Length = length,
                Delay = timing.Delay ?? (period <= TimeSpan.FromMinutes(1) ? ShortPeriodDelay : TimeSpan.Zero),
                NilToZero = timing.NilToZero ?? false,
                AddCloudwatchTimestamp = timing.AddTimestamp ?? false,
                RoundingPeriod = rounding,
                Line = m.Map.Line,
            };
        }).ToList();
        if (metrics.Count == 0)
            throw new ConfigException($"{job.Child("metrics")} is required: list the metrics to collect", job.Line, "metrics");
        return new Common(regions, roles.Count == 0 ? [RoleConfig.Ambient] : roles, customTags, metrics, recentlyActive);
    }

    private sealed record Timing(IReadOnlyList<string>? Statistics, TimeSpan? Period, TimeSpan? Length, TimeSpan? Delay, bool? NilToZero, bool? AddTimestamp);

    private static Timing ReadTiming(YamlMap map, Timing? defaults)
    {
        var statistics = map.Strings("statistics");
        if (statistics is not null)
        {
            var line = YamlMap.LineOf(map.Get("statistics")!);
            if (statistics.Count == 0)
                throw new ConfigException($"{map.Child("statistics")} is empty; list e.g. [Average]", line, "statistics");
            foreach (var s in statistics)
            {
                if (!s_statistics.Contains(s, StringComparer.Ordinal) && !s_percentile.IsMatch(s))
                    throw new ConfigException($"{map.Child("statistics")}: unknown statistic '{s}'; use {string.Join(", ", s_statistics)} or a percentile such as p99", line, "statistics");
            }
        }
        var period = map.Seconds("period", 1);
        // GetMetricData refuses any other period; below a minute only high-resolution metrics have data at all.
        if (period is { } p && !(p.TotalSeconds is 1 or 5 or 10 or 30 || p.TotalSeconds % 60 == 0))
            throw new ConfigException(string.Create(CultureInfo.InvariantCulture, $"{map.Child("period")}: {p.TotalSeconds}s is not a period CloudWatch allows (1, 5, 10, 30 or a multiple of 60)"), YamlMap.LineOf(map.Get("period")!), "period");
        return new Timing(
            statistics ?? defaults?.Statistics,
            period ?? defaults?.Period,
            map.Seconds("length", 1) ?? defaults?.Length,
            map.Seconds("delay", 0) ?? defaults?.Delay,
            map.Bool("nilToZero") ?? defaults?.NilToZero,
            map.Bool("addCloudwatchTimestamp") ?? defaults?.AddTimestamp);
    }

    /// <summary>Throws for a YACE option Headroom does not implement, naming it and saying why.</summary>
    private static void RefuseUnimplemented(YamlMap map)
    {
        foreach (var (key, reason) in Refused)
        {
            if (map.Has(key))
                throw new ConfigException($"{map.Child(key)} is not supported: {reason}", KeyLine(map, key), key);
        }
    }

    private static int KeyLine(YamlMap map, string key) => YamlMap.LineOf(map.Entries.First(e => (e.Key as YamlScalarNode)?.Value == key).Key);

    private static DimensionConfig ReadDimension(YamlMap map)
    {
        var dimension = new DimensionConfig(map.RequiredString(map.Has("key") ? "key" : "name"), map.RequiredString("value"));
        map.EnsureAllKeysKnown();
        return dimension;
    }

    /// <summary>What an unknown service's message suggests: the table is 109 entries long, too long to print whole.</summary>
    private static string Known() =>
        $"Headroom knows the {ServiceType.All.Count} namespaces YACE supports (AWS/EC2 or ec2, AWS/RDS or rds, ...; docs/cloudwatch.md lists them all); for a namespace of your own use a customNamespace job";
}
