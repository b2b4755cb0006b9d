using System.Text.Json;
using Headroom.Testing;
using YamlDotNet.RepresentationModel;

namespace Headroom.IntegrationTests.Dashboards;

/// <summary>
/// The dashboards in deploy/grafana load as Grafana's dashboard schema expects: a uid and title, a schemaVersion, panels
/// with an id, type and gridPos inside the 24-column grid, targets with refIds, every data source reference resolving to a
/// provisioned uid (or to a data source variable of a provisioned type), and every variable defined before it is used.
/// </summary>
public sealed class DashboardSchemaTests
{
    // Grafana's own variables, valid in any query.
    private static readonly HashSet<string> s_globals = ["__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__from", "__to", "__all", "__dashboard", "__org", "__user"];

    private static readonly HashSet<string> s_panelTypes = ["row", "stat", "timeseries", "table", "gauge", "bargauge", "barchart", "piechart", "text", "heatmap", "logs", "state-timeline"];

    public static TheoryData<string> Dashboards => [.. GrafanaDashboards.Files.Select(f => Path.GetFileName(f))];

    [Fact]
    public void The_provisioning_files_define_the_gateway_the_meta_prometheus_and_the_warehouse_in_both_dialects()
    {
        var sources = ProvisionedDatasources();

        Assert.Equal("prometheus", sources["headroom.yml"]["headroom-gateway"]);
        Assert.Equal("prometheus", sources["headroom.yml"]["headroom-meta"]);
        Assert.Equal("grafana-postgresql-datasource", sources["warehouse-postgres.yml"][GrafanaDashboards.WarehouseUid]);
        Assert.Equal("mysql", sources["warehouse-mysql.yml"][GrafanaDashboards.WarehouseUid]);
        Assert.False(Directory.Exists(RepositoryPaths.Combine("deploy", "gateway", "grafana")), "one place for Grafana provisioning");
        var provider = File.ReadAllText(RepositoryPaths.Combine("deploy", "grafana", "provisioning", "dashboards", "headroom.yml"));
        Assert.Contains("type: file", provider, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void The_dashboard_has_what_grafana_requires(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(GrafanaDashboards.Folder, file)));
        var root = json.RootElement;
        var problems = new List<string>();

        if (string.IsNullOrWhiteSpace(root.GetProperty("uid").GetString()) || root.GetProperty("uid").GetString()!.Length > 40)
            problems.Add("uid missing or longer than 40 characters");
        if (string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()))
            problems.Add("title missing");
        if (root.GetProperty("schemaVersion").GetInt32() < 36)
            problems.Add("schemaVersion below 36 (Grafana 9)");
        var ids = new HashSet<int>();
        var cells = new HashSet<(int, int)>();
        var panels = root.GetProperty("panels").EnumerateArray().ToList();
        Assert.NotEmpty(panels);
        foreach (var panel in panels)
        {
            var id = panel.GetProperty("id").GetInt32();
            var type = panel.GetProperty("type").GetString()!;
            var where = $"panel {id} ({panel.GetProperty("title").GetString()})";
            if (!ids.Add(id))
                problems.Add($"{where}: duplicate id");
            if (!s_panelTypes.Contains(type))
                problems.Add($"{where}: unknown type {type}");
            var grid = panel.GetProperty("gridPos");
            var (x, y, w, h) = (grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
            if (x < 0 || w < 1 || h < 1 || x + w > 24)
                problems.Add($"{where}: gridPos outside the 24-column grid");
            for (var cx = x; cx < x + w; cx++)
                for (var cy = y; cy < y + h; cy++)
                    if (!cells.Add((cx, cy)))
                        problems.Add($"{where}: overlaps another panel at ({cx},{cy})");
            if (type == "row")
                continue;
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            if (targets.Count == 0)
                problems.Add($"{where}: no targets");
            if (targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count() != targets.Count)
                problems.Add($"{where}: refIds not unique");
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Every_datasource_reference_resolves_and_every_variable_is_defined_before_use(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(GrafanaDashboards.Folder, file)));
        var provisioned = ProvisionedDatasources().Values.SelectMany(d => d).ToLookup(d => d.Key, d => d.Value);
        var variables = new Dictionary<string, JsonElement>();
        var problems = new List<string>();

        foreach (var variable in json.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            var name = variable.GetProperty("name").GetString()!;
            if (variable.GetProperty("type").GetString() == "datasource"
                && !provisioned.Any(p => p.Contains(variable.GetProperty("query").GetString()!)))
                problems.Add($"variable {name}: no provisioned data source of type {variable.GetProperty("query")}");
            var text = variable.GetProperty("query").ToString() + (variable.TryGetProperty("datasource", out var source) ? source.ToString() : "");
            foreach (var used in GrafanaDashboards.VariablesIn(text).Where(u => !s_globals.Contains(u) && !variables.ContainsKey(u)))
                problems.Add($"variable {name} uses ${used} before it is defined");
            variables[name] = variable;
        }
        foreach (var query in GrafanaDashboards.Queries().Where(q => q.Dashboard == file))
        {
            if (query.DatasourceUid.StartsWith("${", StringComparison.Ordinal))
            {
                var name = query.DatasourceUid[2..^1];
                if (!variables.TryGetValue(name, out var variable) || variable.GetProperty("type").GetString() != "datasource")
                    problems.Add($"{query}: data source variable {name} is not defined");
            }
            else if (!provisioned.Contains(query.DatasourceUid))
            {
                problems.Add($"{query}: data source uid '{query.DatasourceUid}' is not provisioned");
            }
            foreach (var used in GrafanaDashboards.VariablesIn(query.Query).Where(u => !s_globals.Contains(u) && !variables.ContainsKey(u)))
                problems.Add($"{query}: ${used} is not a template variable");
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>Provisioning file name → (uid → type).</summary>
    private static Dictionary<string, Dictionary<string, string>> ProvisionedDatasources()
    {
        var result = new Dictionary<string, Dictionary<string, string>>();
        foreach (var path in Directory.GetFiles(RepositoryPaths.Combine("deploy", "grafana", "provisioning", "datasources"), "*.yml"))
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(path))
                yaml.Load(reader);
            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            var sources = (YamlSequenceNode)root.Children[new YamlScalarNode("datasources")];
            result[Path.GetFileName(path)] = sources.Children.Cast<YamlMappingNode>().ToDictionary(
                s => ((YamlScalarNode)s.Children[new YamlScalarNode("uid")]).Value!,
                s => ((YamlScalarNode)s.Children[new YamlScalarNode("type")]).Value!);
        }
        return result;
    }
}
