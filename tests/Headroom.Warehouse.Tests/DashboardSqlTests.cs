using System.Globalization;
using Dapper;
using Headroom.Testing;
using static Headroom.Warehouse.Tests.Samples;

namespace Headroom.Warehouse.Tests;

/// <summary>
/// Every SQL panel and SQL variable of the dashboards in deploy/grafana runs on this dialect over three days of four
/// hosts, with Grafana's variables substituted as Grafana would, and returns rows.
/// </summary>
public abstract class DashboardSqlContract(IDatabases databases)
{
    private const string Profile = "node";
    private const int Hosts = 4;
    private const int Days = 3;

    // A time range of the three loaded days; the panels compare days with ${__from:date:YYYY-MM-DD}, inclusive at both ends.
    private static readonly Dictionary<string, string> s_variables = new()
    {
        ["__from:date:YYYY-MM-DD"] = Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["__to:date:YYYY-MM-DD"] = Start.AddDays(Days - 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["profile"] = Profile,
        // Every host counts as under-used at 100 %, so the count is not trivially 0.
        ["max_cpu"] = "1",
    };

    [Fact]
    public async Task Every_sql_query_of_the_dashboards_runs_and_returns_rows()
    {
        var queries = GrafanaDashboards.Queries().Where(q => q.IsSql).ToList();
        Assert.True(queries.Count >= 9, $"only {queries.Count} SQL queries found");
        Assert.All(queries, q => Assert.Equal(GrafanaDashboards.WarehouseUid, q.DatasourceUid));
        await using var warehouse = (SqlWarehouse)await LoadedWarehouseAsync();
        await using var connection = await warehouse.OpenConnectionAsync(default);
        var problems = new List<string>();

        foreach (var query in queries)
        {
            var sql = GrafanaDashboards.Substitute(query.Query, s_variables);
            try
            {
                var rows = (await connection.QueryAsync(sql)).Cast<IDictionary<string, object?>>().ToList();
                var first = rows.FirstOrDefault()?.Values.First();
                if (first is null || (IsNumber(first) && Convert.ToDouble(first, CultureInfo.InvariantCulture) == 0))
                    problems.Add($"{query}: first value {first ?? "null"} in {rows.Count} rows of {sql}");
            }
            catch (System.Data.Common.DbException e)
            {
                problems.Add($"{query}: {e.Message} in {sql}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task The_fleet_panels_agree_with_the_warehouse_reads()
    {
        await using var warehouse = (SqlWarehouse)await LoadedWarehouseAsync();
        await using var connection = await warehouse.OpenConnectionAsync(default);
        var daily = (await warehouse.ReadDailyAsync(Profile, "cpu")).ToList();

        var resources = await connection.ExecuteScalarAsync<long>(Sql("Resources seen A"));
        var meanCpu = await connection.ExecuteScalarAsync<double>(Sql("Mean CPU A"));
        var byDay = (await connection.QueryAsync(Sql("CPU by day A"))).Count();

        Assert.Equal(Hosts, resources);
        Assert.Equal(daily.Average(d => d.Avg), meanCpu, 1e-9);
        Assert.Equal(Days, byDay);
    }

    private static string Sql(string panel) =>
        GrafanaDashboards.Substitute(GrafanaDashboards.Queries().Single(q => q.Panel == panel).Query, s_variables);

    private static bool IsNumber(object value) => value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;

    private async Task<IWarehouse> LoadedWarehouseAsync()
    {
        var warehouse = await Warehouse.OpenAsync(await databases.NewDatabaseUrlAsync());
        await warehouse.MigrateAsync();
        var runId = await StartRunAsync(warehouse, Profile);
        var window = Window(runId, Profile, Start, Days * 24, Keys(Hosts), "cpu", "memory");
        await warehouse.CommitWindowAsync(window);
        await warehouse.FinishRunAsync(runId, new EtlRunResult(EtlRunStatus.Succeeded, window.Hourly.Count, 0));
        return warehouse;
    }
}

public sealed class SqliteDashboardSqlTests(SqliteDatabases databases) : DashboardSqlContract(databases), IClassFixture<SqliteDatabases>;

public sealed class PostgresDashboardSqlTests(PostgresDatabases databases) : DashboardSqlContract(databases), IClassFixture<PostgresDatabases>;

public sealed class MariaDbDashboardSqlTests(MariaDbDatabases databases) : DashboardSqlContract(databases), IClassFixture<MariaDbDatabases>;
