using System.Globalization;
using Headroom.Prometheus.Configuration;
using Headroom.PromQL.Syntax;

namespace Headroom.Sharding;

/// <summary>
/// Reads <c>shards.yml</c> strictly: an unknown key, a value of the wrong kind or settings that contradict each other
/// are errors naming the file, the line and the key. See docs/sharding.md for the format.
/// </summary>
public static class AutoscalerConfigReader
{
    /// <summary>Reads a configuration file; relative paths in it are relative to its directory.</summary>
    /// <exception cref="ConfigException">The file cannot be read or is not valid.</exception>
    public static AutoscalerOptions ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return ConfigFile.Read(path, text => Read(text, directory));
    }

    /// <summary>Reads configuration text; relative paths are taken from <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="ConfigException">The text is not valid.</exception>
    public static AutoscalerOptions Read(string text, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = YamlMap.Parse(text, "the configuration is empty; it needs at least targets:, directory: and budget_series: (or budget_memory:)");
        var defaults = new AutoscalerOptions { TargetsFile = "", Directory = "", BudgetSeries = 1 };

        var targets = Path.GetFullPath(root.RequiredString("targets"), baseDirectory);
        var directory = Path.GetFullPath(root.RequiredString("directory"), baseDirectory);
        Uri? source = null;
        if (root.String("source") is { } sourceText)
        {
            if (!Uri.TryCreate(sourceText, UriKind.Absolute, out source) || (source.Scheme != Uri.UriSchemeHttp && source.Scheme != Uri.UriSchemeHttps))
                throw new ConfigException($"source: '{sourceText}' is not an http(s) URL; write e.g. http://127.0.0.1:9095", LineOf(root, "source"), "source");
        }
        var budgetSeries = Whole(root, "budget_series");
        var budgetMemory = root.String("budget_memory");
        if ((budgetSeries is null) == (budgetMemory is null))
            throw new ConfigException("give one of budget_series (head series per shard) or budget_memory (e.g. 8GiB)", root.Line, "budget_series");
        if (budgetMemory is not null)
        {
            if (!ByteSize.TryParse(budgetMemory, out var bytes, out var error))
                throw new ConfigException($"budget_memory: {error}", LineOf(root, "budget_memory"), "budget_memory");
            // Memory is turned into series with the assumed bytes per series: a loop cannot wait for shards to measure it.
            budgetSeries = Math.Max(1, (long)(bytes / MemoryModel.AssumedBytesPerSeries));
        }
        var mode = root.String("mode") switch
        {
            null or "local" => AutoscalerMode.Local,
            "kubernetes" => AutoscalerMode.Kubernetes,
            var other => throw new ConfigException($"mode must be 'local' or 'kubernetes', got '{other}'", LineOf(root, "mode"), "mode"),
        };

        var options = defaults with
        {
            TargetsFile = targets,
            Directory = directory,
            Source = source,
            Job = root.String("job") ?? defaults.Job,
            ScrapeInterval = Duration(root, "scrape_interval") ?? defaults.ScrapeInterval,
            LookbackDelta = Duration(root, "lookback_delta") ?? defaults.LookbackDelta,
            FileSdRefresh = Duration(root, "file_sd_refresh") ?? defaults.FileSdRefresh,
            ReconcileInterval = Duration(root, "reconcile_interval") ?? defaults.ReconcileInterval,
            ReconcileTimeout = Duration(root, "reconcile_timeout") ?? defaults.ReconcileTimeout,
            BudgetSeries = budgetSeries!.Value,
            HighWatermark = Share(root, "high_watermark") ?? defaults.HighWatermark,
            LowWatermark = Share(root, "low_watermark") ?? defaults.LowWatermark,
            MinShards = (int)(Whole(root, "min_shards") ?? defaults.MinShards),
            MaxShards = (int)(Whole(root, "max_shards") ?? defaults.MaxShards),
            Replicas = (int)(Whole(root, "replicas") ?? defaults.Replicas),
            Retention = Duration(root, "retention") ?? defaults.Retention,
            DefaultTargetSeries = Whole(root, "default_target_series") ?? defaults.DefaultTargetSeries,
            Mode = mode,
            KubernetesNamespace = root.String("kubernetes_namespace") ?? defaults.KubernetesNamespace,
            PrometheusImage = root.String("prometheus_image") ?? defaults.PrometheusImage,
        };
        if (options.LowWatermark >= options.HighWatermark)
            throw new ConfigException($"low_watermark ({options.LowWatermark}) must be below high_watermark ({options.HighWatermark})", LineOf(root, "low_watermark"), "low_watermark");
        if (options.MinShards > options.MaxShards)
            throw new ConfigException($"min_shards ({options.MinShards}) is more than max_shards ({options.MaxShards})", LineOf(root, "min_shards"), "min_shards");
        if (!IsLabelValue(options.Job))
            throw new ConfigException($"job '{options.Job}' must be a plain name", LineOf(root, "job"), "job");
        root.EnsureAllKeysKnown();
        return options;
    }

    private static TimeSpan? Duration(YamlMap map, string key)
    {
        var text = map.String(key);
        if (text is null)
            return null;
        if (Durations.TryParse(text, out var duration, out var error) && duration > TimeSpan.Zero)
            return duration;
        throw new ConfigException($"{key}: '{text}' is not a positive duration ({error ?? "zero"}); write e.g. 15s or 5m", LineOf(map, key), key);
    }

    private static long? Whole(YamlMap map, string key)
    {
        var text = map.String(key);
        if (text is null)
            return null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1)
            return value;
        throw new ConfigException($"{key} must be a whole number of at least 1, got '{text}'", LineOf(map, key), key);
    }

    private static double? Share(YamlMap map, string key)
    {
        var text = map.String(key);
        if (text is null)
            return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= 1)
            return value;
        throw new ConfigException($"{key} must be a share of the budget above 0 and at most 1, e.g. 0.9, got '{text}'", LineOf(map, key), key);
    }

    private static int LineOf(YamlMap map, string key) => map.Get(key) is { } node ? YamlMap.LineOf(node) : map.Line;

    private static bool IsLabelValue(string value) => value.Length > 0 && value.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
