using System.Text.RegularExpressions;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.Warehouse;

namespace Headroom.Etl.CloudWatch;

/// <summary>
/// The ETL over CloudWatch read directly. Every account (role) in every region of the configuration is its own source
/// (<c>cloudwatch:ACCOUNT/REGION</c>) with its own watermark, gaps and runs, so an account whose role cannot be assumed, or a
/// region that does not answer, becomes gaps for that account and region only while the others load; the next run retries them.
/// </summary>
public sealed partial class CloudWatchEtl
{
    /// <summary>How far back CloudWatch keeps 5-minute datapoints: a first run or a backfill cannot start earlier.</summary>
    public static readonly TimeSpan FiveMinuteRetention = TimeSpan.FromDays(63);

    /// <summary>A first run's default lookback: the 14 days the under-use rules judge.</summary>
    public static readonly TimeSpan DefaultFirstRunLookback = TimeSpan.FromDays(14);

    private readonly IWarehouse _warehouse;
    private readonly Collector _collector;
    private readonly EtlMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly WindowLimits _limits;

    public CloudWatchEtl(IWarehouse warehouse, Collector collector, EtlMetrics? metrics = null, TimeProvider? time = null, WindowLimits? limits = null)
    {
        _warehouse = warehouse;
        _collector = collector;
        _metrics = metrics ?? new EtlMetrics();
        _time = time ?? TimeProvider.System;
        _limits = limits ?? WindowLimits.Default;
    }

    /// <summary>
    /// The exported series names (e.g. <c>aws_ec2_cpuutilization_average</c>) that both the configuration provides and the
    /// profile's expressions read: only these are asked for, so a configuration's other metrics cost nothing here.
    /// </summary>
    /// <exception cref="CloudWatchEtlException">The configuration provides none of them: the profile and the configuration do not fit.</exception>
    public static IReadOnlySet<string> Wanted(CollectorConfig config, Profile profile)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(profile);
        var provided = config.AllMetrics.SelectMany(m => m.Statistics.Select(s => PromNames.Metric(m.Namespace, m.Name, s))).ToHashSet(StringComparer.Ordinal);
        var read = profile.Dimensions.SelectMany(d => Reads(d.Expr)).ToHashSet(StringComparer.Ordinal);
        var wanted = provided.Where(read.Contains).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            // Info series come from discovery, not from metrics: they are not what the configuration lacks.
            var needs = read.Where(r => r.Contains('_', StringComparison.Ordinal) && !r.Contains(':', StringComparison.Ordinal) && !r.EndsWith("_info", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal);
            throw new CloudWatchEtlException(
                $"the CloudWatch configuration provides none of the series profile '{profile.Name}' reads ({string.Join(", ", needs)}); " +
                $"it provides {string.Join(", ", provided.Order(StringComparer.Ordinal))}. Add the metrics and statistics the profile needs " +
                "(for aws-ec2: AWS/EC2 CPUUtilization Average, NetworkIn Sum, NetworkOut Sum) or choose the profile that fits the configuration.");
        }
        return wanted;
    }

    /// <summary>Checks what a CloudWatch run needs of its options; throws <see cref="CloudWatchEtlException"/> naming the fix.</summary>
    public static void Validate(EtlOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.FirstRunLookback > FiveMinuteRetention)
            throw new CloudWatchEtlException($"a first run cannot look back {options.FirstRunLookback.TotalDays:0.#} days: CloudWatch keeps 5-minute data for 63 days; use at most 63d");
        if (options.From is { } from && now - from > FiveMinuteRetention)
            throw new CloudWatchEtlException($"--from {from:u} is more than 63 days ago: CloudWatch keeps 5-minute data for 63 days; start at most 63 days back");
        if (options.To is { } to && to > now)
            throw new CloudWatchEtlException($"--to {to:u} is in the future; end at most now");
        if (options.Profile.Resolution < TimeSpan.FromMinutes(1))
            throw new CloudWatchEtlException($"profile '{options.Profile.Name}' has resolution {options.Profile.Resolution.TotalSeconds:0} s; CloudWatch's EC2 metrics have at most one point a minute, use 5m (or 1m with detailed monitoring)");
    }

    /// <summary>Runs every target (account × region) of the configuration, each isolated from the others.</summary>
    /// <param name="options">The run's options; <see cref="EtlOptions.Source"/> is replaced by each target's own name.</param>
    public async Task<CloudWatchEtlReport> RunAsync(CollectorConfig config, EtlOptions options, EtlMode mode, IProgress<EtlProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options, _time.GetUtcNow());
        var wanted = Wanted(config, options.Profile);
        var targets = _collector.Targets();
        var results = new List<TargetRun>();
        var done = 0;
        foreach (var target in targets)
        {
            string account;
            try
            {
                account = await _collector.AccountIdAsync(target, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsApiException e)
            {
                results.Add(new TargetRun(target.Region, target.Who, null, null, 0, 0, e.Message));
                continue;
            }
            var name = SourceName(account, target.Region);
            var source = new CloudWatchUtilizationSource(_collector, target, wanted, _limits);
            var runner = new EtlRunner(_warehouse, source, _metrics, _time);
            var offset = done;
            var inner = progress is null ? null : new Progress<EtlProgress>(p => progress.Report(p with { HoursDone = offset * p.HoursTotal + p.HoursDone, HoursTotal = targets.Count * p.HoursTotal }));
            try
            {
                var report = await runner.RunAsync(options with { Source = name }, mode, inner, cancellationToken).ConfigureAwait(false);
                results.Add(new TargetRun(target.Region, target.Who, name, report, source.MetricsRequested, source.SeriesRead, null) { NoData = source.NoData });
            }
            catch (Exception e) when (e is DataQualityException or WarehouseException or PromQL.Engine.QueryException)
            {
                results.Add(new TargetRun(target.Region, target.Who, name, null, source.MetricsRequested, source.SeriesRead, e.Message) { NoData = source.NoData });
            }
            done++;
        }
        // Only a run that read windows can say discovery found nothing; one that is up to date read none.
        if (results.All(r => r.Error is null && r.Report is { Unavailable.Count: 0 }) && results.Any(r => r.Report is { Windows: > 0 })
            && results.Sum(r => r.SeriesRead) == 0)
        {
            throw new CloudWatchEtlException(
                $"discovery found nothing to read in {string.Join(", ", targets.Select(t => t.Region).Distinct())}: no resource matched the jobs' type and searchTags, " +
                "or CloudWatch lists none of their metrics. Check the regions, the searchTags and that the resources are running.");
        }
        return new CloudWatchEtlReport(results);
    }

    /// <summary>The source name of an account and region, as watermarks, gaps and runs store it.</summary>
    public static string SourceName(string account, string region) => $"cloudwatch:{account}/{region}";

    /// <summary>The identifiers an expression names: the series it reads, among function names and labels (which match no series).</summary>
    internal static IReadOnlySet<string> Reads(string expr) => Identifier().Matches(expr).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}

/// <summary>What one target of a CloudWatch run did.</summary>
/// <param name="Source">The source name (<c>cloudwatch:ACCOUNT/REGION</c>); null when the account could not even be named.</param>
/// <param name="Report">The run's report; null when it failed as a whole.</param>
/// <param name="MetricsRequested">Metrics requested from GetMetricData (what it bills).</param>
/// <param name="SeriesRead">Series (metric × resource) read.</param>
/// <param name="Error">Why the target failed as a whole, if it did.</param>
public sealed record TargetRun(string Region, string Who, string? Source, EtlReport? Report, long MetricsRequested, long SeriesRead, string? Error)
{
    /// <summary>
    /// The configured metrics with no datapoint in this account and region, one line each (namespace, metric, statistics,
    /// dimensions, what to check): their hours are not gaps, since they would never fill.
    /// </summary>
    public IReadOnlyList<string> NoData { get; init; } = [];
}

/// <summary>What a CloudWatch run did, per target.</summary>
public sealed record CloudWatchEtlReport(IReadOnlyList<TargetRun> Targets)
{
    /// <summary>Targets that loaded every window.</summary>
    public int Complete => Targets.Count(t => t.Error is null && t.Report is { Unavailable.Count: 0 });
}

/// <summary>The CloudWatch configuration, the profile or the options do not fit a direct read; the message says how to fix it.</summary>
public sealed class CloudWatchEtlException : Exception
{
    public CloudWatchEtlException()
    {
    }

    public CloudWatchEtlException(string message)
        : base(message)
    {
    }

    public CloudWatchEtlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
