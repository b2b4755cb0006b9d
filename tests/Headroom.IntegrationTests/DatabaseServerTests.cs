using Headroom.Servers;
using Headroom.Testing;
using MySqlConnector;
using Npgsql;

namespace Headroom.IntegrationTests;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task Creates_inserts_and_selects_over_tcp()
    {
        await using var postgres = await PostgresServer.StartAsync();
        Assert.Equal($"postgres://postgres@127.0.0.1:{postgres.Port}/postgres", postgres.Url);

        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE utilization (host text PRIMARY KEY, cpu double precision);
                INSERT INTO utilization VALUES ('a', 0.25), ('b', 0.75);
                SELECT sum(cpu) FROM utilization;
                """;
            Assert.Equal(1.0, Convert.ToDouble(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }

        // The pooled connection stays open; a "smart" shutdown (SIGTERM) would wait for it until the
        // SIGKILL timeout, the "fast" shutdown (SIGINT) the harness sends does not.
        // Postgres' own log tells which shutdown ran and that it finished; SIGKILL after the stop timeout would leave
        // no "shut down" line. (A duration limit told the same on a quiet machine and failed on a loaded one.)
        var pid = postgres.ProcessId;
        await postgres.DisposeAsync();
        Assert.False(TestSupport.ProcessExists(pid), "postgres must be stopped even with a pooled connection open");
        Assert.Contains("received fast shutdown request", postgres.RecentLogs, StringComparison.Ordinal);
        Assert.Contains("database system is shut down", postgres.RecentLogs, StringComparison.Ordinal);
    }
}

public sealed class MariaDbServerTests
{
    [Fact]
    public async Task Creates_inserts_and_selects_in_the_headroom_database()
    {
        await using var mariadb = await MariaDbServer.StartAsync();
        Assert.Equal($"mysql://root@127.0.0.1:{mariadb.Port}/headroom", mariadb.Url);

        await using var connection = new MySqlConnection(mariadb.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE utilization (host VARCHAR(64) PRIMARY KEY, cpu DOUBLE);
            INSERT INTO utilization VALUES ('a', 0.25), ('b', 0.75);
            SELECT CONCAT(DATABASE(), ':', SUM(cpu)) FROM utilization;
            """;

        Assert.Equal("headroom:1", await command.ExecuteScalarAsync());
    }
}

public sealed class MotoServerTests
{
    [Fact]
    public async Task Answers_a_cloudwatch_list_metrics_call()
    {
        await using var moto = await MotoServer.StartAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, moto.Endpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Action"] = "ListMetrics", ["Version"] = "2010-08-01" }),
        };
        request.Headers.TryAddWithoutValidation("Authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await TestSupport.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Contains("<ListMetricsResponse", body, StringComparison.Ordinal);
    }
}
