namespace Headroom.Testing;

/// <summary>
/// Where the PromQL conformance scripts sit (<c>../shared/conformance/promql/prometheus-3.14</c>, beside the checkout,
/// never copied into it) and which of them the engine must run, wherever it reads its data from.
/// </summary>
public static class ConformanceSuite
{
    /// <summary>The files the conformance folder's README requires.</summary>
    public static IReadOnlyList<string> RequiredFiles { get; } =
    [
        "aggregators", "at_modifier", "collision", "functions", "histograms", "literals", "name_label_dropping",
        "operators", "range_queries", "selectors", "staleness", "subquery", "trig_functions", "limit",
    ];

    /// <summary>The folder of Prometheus 3.14's scripts, or null when the shared folder is absent.</summary>
    public static string? Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Headroom.slnx")))
            {
                var folder = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance", "promql", "prometheus-3.14"));
                return Directory.Exists(folder) ? folder : null;
            }
        }
        return null;
    }
}
