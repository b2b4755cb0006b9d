using System.CommandLine;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.Etl;
using Headroom.Etl.CloudWatch;
using Headroom.Prometheus.Configuration;

namespace Headroom.Cli.Configuration;

/// <summary>The ETL's CloudWatch source: <c>--source cloudwatch --cloudwatch-config yace.yml</c>, or the same in headroom.yaml.</summary>
internal sealed partial class EtlSettings
{
    /// <summary>The value of <c>--source</c> that reads CloudWatch directly.</summary>
    public const string CloudWatchSource = "cloudwatch";

    public Option<FileInfo?> CloudWatchConfig { get; } = new("--cloudwatch-config")
    {
        Description = "With --source cloudwatch: the YACE configuration (apiVersion: v1alpha1) that says which accounts, regions and metrics to read",
        HelpName = "yace.yml",
    };

    public Option<Uri?> AwsEndpoint { get; } = new("--aws-endpoint-url")
    {
        Description = "With --source cloudwatch: send every AWS call here (a moto_server or VPC endpoint); default AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, then AWS's regional endpoints",
        HelpName = "url",
        // System.CommandLine does not convert a Uri by itself: without this every value failed at GetValue.
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                return uri;
            r.AddError($"--aws-endpoint-url: '{text}' is not an http(s) URL; use e.g. http://127.0.0.1:5000");
            return null;
        },
    };

    public Option<int?> Window { get; } = new("--window")
    {
        Description = "Hours committed (and, from CloudWatch, read with one query per metric) together: 1h or 1d, or N hours (default 1d)",
        HelpName = "1h|1d",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (PromQL.Syntax.Durations.TryParseSetting(text, out var d, out _) && d >= TimeSpan.FromHours(1) && d <= TimeSpan.FromDays(31) && d.Ticks % TimeSpan.TicksPerHour == 0)
                return (int)d.TotalHours;
            r.AddError($"--window: '{text}' is not a whole number of hours between 1h and 31d; use 1h or 1d");
            return null;
        },
    };

    /// <summary>Whether the source is CloudWatch read directly.</summary>
    public bool IsCloudWatch(ParseResult parse, HeadroomConfig config) =>
        string.Equals(parse.GetValue(Source) ?? Env("HEADROOM_SOURCE") ?? config.Source.Url, CloudWatchSource, StringComparison.OrdinalIgnoreCase);

    /// <summary>The YACE configuration of a CloudWatch source.</summary>
    public CollectorConfig LoadCloudWatchConfig(ParseResult parse, HeadroomConfig config)
    {
        var path = parse.GetValue(CloudWatchConfig)?.FullName ?? config.Source.CloudwatchConfig
            ?? throw new CliException("--source cloudwatch needs --cloudwatch-config FILE (the YACE configuration that says what to read), or source.cloudwatch_config in headroom.yaml", ExitCodes.Usage);
        try
        {
            return CollectorConfigReader.ReadFile(path);
        }
        catch (ConfigException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }

    /// <summary>
    /// CloudWatch's defaults on top of the shared ones: a first run reads 14 days (what the under-use rules judge), gaps are
    /// retried while CloudWatch keeps 5-minute data (63 days), no overlap is re-read (a period's datapoint does not change once
    /// published) and hours are loaded 15 minutes after they end, when EC2's basic-monitoring datapoints have arrived.
    /// </summary>
    public Etl.EtlOptions CloudWatchOptions(ParseResult parse, HeadroomConfig config, Etl.Profile profile)
    {
        var options = EtlOptions(parse, config, profile, CloudWatchSource) with
        {
            FirstRunLookback = Duration(config.Etl.FirstRunLookback, "etl.first_run_lookback") ?? CloudWatchEtl.DefaultFirstRunLookback,
            SafetyDelay = Duration(config.Etl.SafetyDelay, "etl.safety_delay") ?? TimeSpan.FromMinutes(15),
            Overlap = TimeSpan.Zero,
            GapRetention = CloudWatchEtl.FiveMinuteRetention - TimeSpan.FromDays(1),
            UseRecordingRules = false,
        };
        try
        {
            CloudWatchEtl.Validate(options, TimeProvider.System.GetUtcNow());
        }
        catch (CloudWatchEtlException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
        return options;
    }

    /// <summary>The collector that reads CloudWatch for the ETL (its AWS calls, retries and limits are the collector's).</summary>
    public Collector CloudWatchCollector(ParseResult parse, CollectorConfig config, HttpClient http) =>
        new(config, http, new AwsEndpoints(parse.GetValue(AwsEndpoint)), new CollectorMetrics());
}
