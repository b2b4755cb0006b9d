namespace Headroom.Servers;

/// <summary>How to start a <see cref="PrometheusServer"/>. Every property has a usable default.</summary>
public sealed record PrometheusOptions
{
    /// <summary><c>global.scrape_interval</c>. Default <c>15s</c>.</summary>
    public string ScrapeInterval { get; init; } = "15s";

    /// <summary><c>global.evaluation_interval</c> for rules. Default <c>15s</c>.</summary>
    public string EvaluationInterval { get; init; } = "15s";

    /// <summary>
    /// YAML list items placed under <c>scrape_configs:</c>, written at column 0, e.g.
    /// <c>"- job_name: fleet\n  static_configs:\n    - targets: ['127.0.0.1:9100']"</c>. Default none.
    /// </summary>
    public string? ScrapeConfigsYaml { get; init; }

    /// <summary>
    /// A file_sd target file (JSON or YAML) scraped by a job named <see cref="FileServiceDiscoveryJobName"/>,
    /// refreshed every 5 s. Default none.
    /// </summary>
    public string? FileServiceDiscoveryPath { get; init; }

    /// <summary>Job name for <see cref="FileServiceDiscoveryPath"/>. Default <c>file_sd</c>.</summary>
    public string FileServiceDiscoveryJobName { get; init; } = "file_sd";

    /// <summary>Add a job named <c>prometheus</c> that scrapes this server itself. Default true.</summary>
    public bool ScrapeSelf { get; init; } = true;

    /// <summary>Rule file paths; each is copied into the server's temporary directory. Default none.</summary>
    public IReadOnlyList<string> RuleFiles { get; init; } = [];

    /// <summary>
    /// An existing TSDB directory to use, e.g. one holding backfilled blocks. It is never deleted.
    /// Default null: a temporary directory removed on dispose.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary><c>--storage.tsdb.retention.time</c>. Default <c>30d</c>.</summary>
    public string Retention { get; init; } = "30d";

    /// <summary>Pass <c>--web.enable-remote-write-receiver</c>. Default false.</summary>
    public bool EnableRemoteWriteReceiver { get; init; }

    /// <summary>Further command-line arguments appended as given. Default none.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>
    /// Basic-auth users (name → bcrypt hash) Prometheus requires on every endpoint, through its web
    /// configuration file. The readiness probe then takes an HTTP 401 as "up".
    /// </summary>
    public IReadOnlyDictionary<string, string> BasicAuthUsers { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// <c>global.external_labels</c>, e.g. <c>shard</c> and <c>replica</c> of a sharded HA fleet. Prometheus adds them
    /// to what leaves the server (federation, remote read, alerts), not to <c>/api/v1/query</c> answers. Default none.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExternalLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Listen on this loopback port instead of a free one, e.g. to restart a server where it was. A port someone
    /// else holds then fails the start rather than moving elsewhere. Default null: a free port.
    /// </summary>
    public int? Port { get; init; }

    /// <summary>How long to wait for <c>/-/ready</c>. Default 60 s.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws <see cref="ArgumentException"/> for values Prometheus would reject only after starting.</summary>
    internal void Validate()
    {
        foreach (var (name, value) in new[] { (nameof(ScrapeInterval), ScrapeInterval), (nameof(EvaluationInterval), EvaluationInterval), (nameof(Retention), Retention) })
        {
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"{name} must be a Prometheus duration such as 15s.", nameof(PrometheusOptions));
        }
        if (StartTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"{nameof(StartTimeout)} must be positive.", nameof(PrometheusOptions));
        if (Port is < 1 or > 65535)
            throw new ArgumentException($"{nameof(Port)} must be between 1 and 65535.", nameof(PrometheusOptions));
        foreach (var name in ExternalLabels.Keys)
        {
            if (!IsLabelName(name))
                throw new ArgumentException($"External label name '{name}' is not a Prometheus label name.", nameof(PrometheusOptions));
        }
        foreach (var ruleFile in RuleFiles)
        {
            if (!File.Exists(ruleFile))
                throw new ArgumentException($"Rule file {ruleFile} does not exist.", nameof(PrometheusOptions));
        }
    }

    private static bool IsLabelName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
