using System.Text;

namespace Headroom.Servers;

/// <summary>Writes the prometheus.yml for a <see cref="PrometheusOptions"/> and a port.</summary>
internal static class PrometheusConfig
{
    public static string Render(PrometheusOptions options, int port, IReadOnlyList<string> ruleFiles)
    {
        var yaml = new StringBuilder();
        yaml.Append("global:\n")
            .Append("  scrape_interval: ").Append(options.ScrapeInterval).Append('\n')
            .Append("  evaluation_interval: ").Append(options.EvaluationInterval).Append('\n');
        if (options.ExternalLabels.Count > 0)
        {
            yaml.Append("  external_labels:\n");
            foreach (var (name, value) in options.ExternalLabels.OrderBy(static l => l.Key, StringComparer.Ordinal))
                yaml.Append("    ").Append(name).Append(": ").Append(Quote(value)).Append('\n');
        }
        if (ruleFiles.Count > 0)
        {
            yaml.Append("rule_files:\n");
            foreach (var file in ruleFiles)
                yaml.Append("  - ").Append(Quote(file)).Append('\n');
        }

        yaml.Append("scrape_configs:\n");
        if (options.ScrapeSelf)
            yaml.Append("- job_name: prometheus\n")
                .Append("  static_configs:\n")
                .Append("    - targets: ['127.0.0.1:").Append(port).Append("']\n");
        if (options.FileServiceDiscoveryPath is { } sdPath)
            yaml.Append("- job_name: ").Append(Quote(options.FileServiceDiscoveryJobName)).Append('\n')
                .Append("  file_sd_configs:\n")
                .Append("    - files: [").Append(Quote(Path.GetFullPath(sdPath))).Append("]\n")
                .Append("      refresh_interval: 5s\n");
        if (!string.IsNullOrWhiteSpace(options.ScrapeConfigsYaml))
            yaml.Append(options.ScrapeConfigsYaml.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd()).Append('\n');
        if (!options.ScrapeSelf && options.FileServiceDiscoveryPath is null && string.IsNullOrWhiteSpace(options.ScrapeConfigsYaml))
            yaml.Replace("scrape_configs:\n", "scrape_configs: []\n");
        return yaml.ToString();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
