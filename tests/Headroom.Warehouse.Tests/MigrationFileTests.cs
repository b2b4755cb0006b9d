namespace Headroom.Warehouse.Tests;

public class MigrationFileTests
{
    [Fact]
    public void Every_dialect_has_the_same_migration_versions()
    {
        var versions = new[] { "sqlite", "postgres", "mysql" }
            .Select(d => string.Join(",", SqlWarehouse.Migrations(d).Select(m => m.Version)))
            .ToList();
        Assert.All(versions, v => Assert.Equal("1,2", v));
    }

    [Fact]
    public void Every_dialect_creates_the_same_tables()
    {
        // The initial migration creates them; later ones may rebuild a table (SQLite's 002), which the
        // contract tests check on a real database (A_warehouse_at_version_1_migrates_to_2_and_keeps_its_rows).
        static string Tables(string dialect) => string.Join(",", SqlWarehouse.Migrations(dialect)
            .Where(m => m.Version == 1)
            .SelectMany(m => SqlWarehouse.Statements(m.Sql))
            .Where(s => s.StartsWith("CREATE TABLE", StringComparison.Ordinal))
            .Select(s => s.Split(' ')[5])
            .Order(StringComparer.Ordinal));

        Assert.Equal("etl_runs,gaps,quarantine,resources,utilization_daily,utilization_hourly,watermarks", Tables("postgres"));
        Assert.Equal(Tables("postgres"), Tables("sqlite"));
        Assert.Equal(Tables("postgres"), Tables("mysql"));
    }

    [Fact]
    public void Statements_split_at_semicolons_ending_lines_and_drop_comments()
    {
        var statements = SqlWarehouse.Statements("-- a comment; not a statement\nCREATE TABLE a (x INT);\n\nCREATE TABLE b (\n  y INT\n);\n").ToList();
        Assert.Equal(["CREATE TABLE a (x INT)", "CREATE TABLE b (\n  y INT\n)"], statements);
    }
}
