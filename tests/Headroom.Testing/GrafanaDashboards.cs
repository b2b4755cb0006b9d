using System.Text.Json;
using System.Text.RegularExpressions;

namespace Headroom.Testing;

/// <summary>One query of a dashboard panel (or of a template variable): PromQL in <see cref="Query"/> for a
/// Prometheus data source, SQL for the warehouse.</summary>
/// <param name="Dashboard">The dashboard's file name.</param>
/// <param name="Panel">The panel's title, or <c>variable NAME</c>.</param>
/// <param name="DatasourceUid">The data source uid as written, e.g. <c>headroom-warehouse</c> or <c>${datasource}</c>.</param>
/// <param name="Query">The PromQL <c>expr</c> or the SQL <c>rawSql</c>, before variables are substituted.</param>
/// <param name="IsSql">True for a <c>rawSql</c> target.</param>
public sealed record DashboardQuery(string Dashboard, string Panel, string DatasourceUid, string Query, bool IsSql)
{
    public override string ToString() => $"{Dashboard} / {Panel}";
}

/// <summary>The Grafana dashboards in deploy/grafana/dashboards, read as Grafana reads them.</summary>
public static partial class GrafanaDashboards
{
    /// <summary>The uid of the warehouse data source both warehouse provisioning files define.</summary>
    public const string WarehouseUid = "headroom-warehouse";

    public static string Folder { get; } = RepositoryPaths.Combine("deploy", "grafana", "dashboards");

    public static IReadOnlyList<string> Files => Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal).ToList();

    /// <summary>Every panel target and every query variable of every dashboard.</summary>
    public static IReadOnlyList<DashboardQuery> Queries()
    {
        var queries = new List<DashboardQuery>();
        foreach (var file in Files)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var name = Path.GetFileName(file);
            foreach (var variable in json.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                if (variable.GetProperty("type").GetString() != "query")
                    continue;
                var query = variable.GetProperty("query");
                var text = query.ValueKind == JsonValueKind.String ? query.GetString()! : query.GetProperty("query").GetString()!;
                queries.Add(new DashboardQuery(name, "variable " + variable.GetProperty("name").GetString(), Uid(variable), text, IsSqlText(text)));
            }
            foreach (var panel in json.RootElement.GetProperty("panels").EnumerateArray())
            {
                if (!panel.TryGetProperty("targets", out var targets))
                    continue;
                foreach (var target in targets.EnumerateArray())
                {
                    var uid = target.TryGetProperty("datasource", out _) ? Uid(target) : Uid(panel);
                    var title = panel.GetProperty("title").GetString() + " " + target.GetProperty("refId").GetString();
                    if (target.TryGetProperty("rawSql", out var sql))
                        queries.Add(new DashboardQuery(name, title, uid, sql.GetString()!, true));
                    else
                        queries.Add(new DashboardQuery(name, title, uid, target.GetProperty("expr").GetString()!, false));
                }
            }
        }
        return queries;
    }

    /// <summary>
    /// <paramref name="query"/> with Grafana's variables replaced as Grafana would: each <c>$name</c>, <c>${name}</c> or
    /// <c>${name:format}</c> by <paramref name="values"/>[name] (a date format such as <c>${__from:date:YYYY-MM-DD}</c> is
    /// looked up under <c>__from:date:YYYY-MM-DD</c>). Throws when a variable has no value, so nothing is left unreplaced.
    /// </summary>
    public static string Substitute(string query, IReadOnlyDictionary<string, string> values) =>
        Variable().Replace(query, match =>
        {
            var name = match.Groups["braced"].Success ? match.Groups["braced"].Value : match.Groups["plain"].Value;
            return values.TryGetValue(name, out var value)
                ? value
                : throw new KeyNotFoundException($"no value for Grafana variable '{name}' in: {query}");
        });

    /// <summary>The variable names a query uses (<c>__from</c> for <c>${__from:date:...}</c>).</summary>
    public static IReadOnlyList<string> VariablesIn(string query) =>
        Variable().Matches(query).Select(m => (m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value).Split(':')[0]).Distinct().ToList();

    private static string Uid(JsonElement element) =>
        element.TryGetProperty("datasource", out var datasource) && datasource.ValueKind == JsonValueKind.Object
            && datasource.TryGetProperty("uid", out var uid) ? uid.GetString() ?? "" : "";

    private static bool IsSqlText(string text) => text.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"\$\{(?<braced>[A-Za-z_][A-Za-z0-9_]*(:[^}]*)?)\}|\$(?<plain>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Variable();
}
