using Microsoft.Data.Sqlite;
using MySqlConnector;
using Npgsql;

namespace Headroom.Warehouse.Tests;

public class WarehouseUrlTests
{
    [Fact]
    public void Sqlite_paths_may_be_relative_or_absolute()
    {
        var relative = WarehouseUrl.Parse("sqlite:headroom.db");
        Assert.Equal(WarehouseDialect.Sqlite, relative.Dialect);
        Assert.Equal(Path.GetFullPath("headroom.db"), new SqliteConnectionStringBuilder(relative.ConnectionString).DataSource);
        Assert.Equal("sqlite:headroom.db", relative.ToString());

        Assert.Equal("/var/lib/headroom/h.db", new SqliteConnectionStringBuilder(WarehouseUrl.Parse("sqlite:/var/lib/headroom/h.db").ConnectionString).DataSource);
        Assert.Equal("/var/lib/headroom/h.db", new SqliteConnectionStringBuilder(WarehouseUrl.Parse("sqlite:///var/lib/headroom/h.db").ConnectionString).DataSource);
        Assert.Equal(WarehouseDialect.Sqlite, WarehouseUrl.Parse(Warehouse.DefaultUrl).Dialect);
    }

    [Theory]
    [InlineData("postgres://etl:s3cr%40t@db.example.com:6432/metrics?sslmode=require", "postgres://etl:***@db.example.com:6432/metrics?sslmode=require")]
    [InlineData("postgresql://etl:s3cr%40t@db.example.com/metrics", "postgresql://etl:***@db.example.com/metrics")]
    public void Postgres_urls_become_npgsql_connection_strings_and_print_without_the_password(string url, string redacted)
    {
        var parsed = WarehouseUrl.Parse(url);
        var builder = new NpgsqlConnectionStringBuilder(parsed.ConnectionString);

        Assert.Equal(WarehouseDialect.Postgres, parsed.Dialect);
        Assert.Equal(("db.example.com", "etl", "s3cr@t", "metrics"), (builder.Host, builder.Username, builder.Password, builder.Database));
        Assert.Equal(url.Contains("6432", StringComparison.Ordinal) ? 6432 : 5432, builder.Port);
        Assert.Equal(url.Contains("require", StringComparison.Ordinal) ? SslMode.Require : SslMode.Prefer, builder.SslMode);
        Assert.Equal(redacted, parsed.ToString());
        Assert.DoesNotContain("s3cr", parsed.Redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Mysql_urls_become_mysqlconnector_connection_strings()
    {
        var parsed = WarehouseUrl.Parse("mysql://admin:p%3Ass@polardb.example.com:3307/headroom");
        var builder = new MySqlConnectionStringBuilder(parsed.ConnectionString);

        Assert.Equal(WarehouseDialect.MySql, parsed.Dialect);
        Assert.Equal(("polardb.example.com", 3307u, "admin", "p:ss", "headroom"), (builder.Server, builder.Port, builder.UserID, builder.Password, builder.Database));
        Assert.Equal("mysql://admin:***@polardb.example.com:3307/headroom", parsed.ToString());
        Assert.Equal(3306u, new MySqlConnectionStringBuilder(WarehouseUrl.Parse("mysql://root@localhost/headroom").ConnectionString).Port);
    }

    [Theory]
    [InlineData("oracle://scott:tiger@db:1521/orcl", "oracle")]
    [InlineData("mssql://sa:tiger@db/headroom", "mssql")]
    [InlineData("tiger", null)]
    public void Unknown_schemes_name_the_scheme_and_the_accepted_forms_without_the_password(string url, string? scheme)
    {
        var error = Assert.Throws<WarehouseUrlException>(() => WarehouseUrl.Parse(url));

        Assert.Contains(scheme ?? "no scheme", error.Message, StringComparison.Ordinal);
        Assert.Contains("sqlite:", error.Message, StringComparison.Ordinal);
        Assert.Contains("postgres://", error.Message, StringComparison.Ordinal);
        Assert.Contains("mysql://", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tiger", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_option_is_refused_without_the_password()
    {
        var error = Assert.Throws<WarehouseUrlException>(() => WarehouseUrl.Parse("postgres://u:tiger@h/db?frobnicate=1"));
        Assert.Contains("frobnicate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tiger", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://etl:secret@prom:9090/api", "http://prom:9090/api")]
    [InlineData("https://prom.example.com/prometheus?x=a@b", "https://prom.example.com/prometheus?x=a@b")]
    [InlineData("http://user@prom:9090", "http://prom:9090")]
    [InlineData("local", "local")]
    public void Sources_are_stored_without_credentials(string source, string stored) =>
        Assert.Equal(stored, SourceNames.WithoutCredentials(source));

    [Fact]
    public void Passwords_given_as_query_options_are_redacted_too()
    {
        var parsed = WarehouseUrl.Parse("postgres://etl@db/metrics?password=tiger&sslmode=disable");
        Assert.Equal("tiger", new NpgsqlConnectionStringBuilder(parsed.ConnectionString).Password);
        Assert.Equal("postgres://etl@db/metrics?password=***&sslmode=disable", parsed.ToString());
    }
}
