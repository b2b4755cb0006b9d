using Headroom.Testing;

namespace Headroom.Cli.Tests;

/// <summary>A Prometheus with the fleet's history that requires basic auth, for the ETL command's tests.</summary>
public sealed class SecuredFleetPrometheus : FleetPrometheus
{
    public const string User = "etl";
    public const string Password = "s3cret-pass";

    // bcrypt of "s3cret-pass" (htpasswd -nbBC 10 etl s3cret-pass).
    protected override IReadOnlyDictionary<string, string> Users => new Dictionary<string, string>
    {
        [User] = "$2y$10$Z7T2G51ygkH/Ma8GzWk.y.UjGehGUlBRZbCSLiaGqFLvCjMCoemQW",
    };
}

public sealed class EtlCommandTests(SecuredFleetPrometheus source) : IClassFixture<SecuredFleetPrometheus>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-etl-cli-").FullName;

    private string Db => "sqlite:" + Path.Combine(_directory, "w.db");

    private string Url => source.Server.BaseUri.AbsoluteUri;

    private string PasswordFile
    {
        get
        {
            var path = Path.Combine(_directory, "password");
            File.WriteAllText(path, SecuredFleetPrometheus.Password + "\n");
            return path;
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string[] Backfill(params string[] extra) =>
        ["etl", "backfill", "--source", Url, "--db", Db, "--from", "2026-11-19T18:00:00Z", "--to", "2026-11-19T22:00:00Z", .. extra];

    [Fact]
    public async Task Backfill_loads_rows_and_status_shows_the_run()
    {
        var result = await Cli.RunAsync(Backfill("--source-user", SecuredFleetPrometheus.User, "--source-password-file", PasswordFile, "--format", "json"));
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("\"rows_loaded\": 120", result.Output, StringComparison.Ordinal); // 6 hosts × 4 hours × 5 dimensions
        Assert.DoesNotContain(SecuredFleetPrometheus.Password, result.Output + result.Error, StringComparison.Ordinal);

        var status = await Cli.RunAsync("etl", "status", "--db", Db);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("succeeded", status.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(SecuredFleetPrometheus.Password, status.Output, StringComparison.Ordinal);
        // Where each field came from: the fleet's override series gives them all.
        Assert.Contains("metadata of 6 node resources, by source:", status.Output, StringComparison.Ordinal);
        Assert.Contains("instance_type: headroom_host_info 6", status.Output, StringComparison.Ordinal);
        Assert.Contains("name: headroom_host_info 6", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_credentials_fail_clearly_and_write_nothing()
    {
        var wrong = Path.Combine(_directory, "wrong");
        await File.WriteAllTextAsync(wrong, "nope");
        var result = await Cli.RunAsync(Backfill("--source-user", SecuredFleetPrometheus.User, "--source-password-file", wrong));
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("refused the credentials (HTTP 401)", result.Error, StringComparison.Ordinal);
        var status = await Cli.RunAsync("etl", "status", "--db", Db, "--format", "json");
        Assert.Contains("\"rows_loaded\": 0", status.Output, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"Failed\"", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_come_from_the_environment_and_are_never_printed()
    {
        // No credential flag and no config file: only HEADROOM_SOURCE_USER and HEADROOM_SOURCE_PASSWORD can authenticate.
        var environment = new Dictionary<string, string>
        {
            ["HEADROOM_SOURCE"] = Url,
            ["HEADROOM_DB"] = Db,
            ["HEADROOM_SOURCE_USER"] = SecuredFleetPrometheus.User,
            ["HEADROOM_SOURCE_PASSWORD"] = SecuredFleetPrometheus.Password,
        };
        var result = await Cli.RunProcessAsync(environment, "etl", "backfill", "--from", "2026-11-19T18:00:00Z", "--to", "2026-11-19T19:00:00Z", "--format", "json");
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("\"rows_loaded\": 30", result.Output, StringComparison.Ordinal); // 6 hosts × 1 hour × 5 dimensions
        Assert.DoesNotContain(SecuredFleetPrometheus.Password, result.Output + result.Error, StringComparison.Ordinal);
        var status = await Cli.RunProcessAsync(environment, "etl", "status", "--format", "json");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("\"rows_loaded\": 30", status.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(SecuredFleetPrometheus.Password, status.Output + status.Error, StringComparison.Ordinal);

        // The same run with a wrong password in the variable is refused: the variable, not something else, authenticated.
        var wrong = await Cli.RunProcessAsync(new Dictionary<string, string>(environment) { ["HEADROOM_SOURCE_PASSWORD"] = "nope" },
            "etl", "backfill", "--from", "2026-11-19T18:00:00Z", "--to", "2026-11-19T19:00:00Z");
        Assert.Equal(ExitCodes.Failure, wrong.ExitCode);
        Assert.Contains("refused the credentials (HTTP 401)", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_also_come_from_the_config_file()
    {
        var config = Path.Combine(_directory, "headroom.yaml");
        await File.WriteAllTextAsync(config, $"source:\n  url: {Url}\n  basic_auth:\n    username: {SecuredFleetPrometheus.User}\n    password_file: {PasswordFile}\ndb: {Db}\n");
        var result = await Cli.RunAsync("etl", "backfill", "--config", config, "--from", "2026-11-19T18:00:00Z", "--to", "2026-11-19T19:00:00Z");
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("rows loaded", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("etl backfill --source http://127.0.0.1:9 --from -2h", "backfill needs both --from and --to")]
    [InlineData("etl run --source ftp://x/ --db sqlite:x.db", "is not an http(s) URL")]
    [InlineData("etl run --source http://127.0.0.1:9 --db oracle://x/y", "oracle")]
    [InlineData("etl run --source http://127.0.0.1:9 --profile nodes", "unknown profile 'nodes'")]
    [InlineData("etl run --source http://127.0.0.1:9 --config /nonexistent/headroom.yaml", "does not exist")]
    [InlineData("etl run --source http://127.0.0.1:9 --from 2026-11-02T00:00:00Z --to 2026-11-01T00:00:00Z", "must be after --from")]
    public async Task Bad_settings_exit_with_the_usage_code(string args, string expected)
    {
        var result = await Cli.RunAsync(args.Split(' '));
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_source_anywhere_says_where_to_give_one()
    {
        var result = await Cli.RunAsync("etl", "run", "--db", Db);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("give --source URL, set HEADROOM_SOURCE, or set source.url in headroom.yaml", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_file_with_an_unknown_key_names_the_line()
    {
        var config = Path.Combine(_directory, "bad.yaml");
        await File.WriteAllTextAsync(config, "source:\n  url: http://x:9090\n  passwrd: y\n");
        var result = await Cli.RunAsync("etl", "run", "--config", config);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("bad.yaml:3: unknown key 'passwrd'", result.Error, StringComparison.Ordinal);
    }

    /// <summary>A value of the wrong kind names the key, what it takes and what was given, never a .NET type.</summary>
    [Theory]
    [InlineData("source: abc\n", "kind.yaml:1: source: expected keys indented under it (a mapping), got 'abc'")]
    [InlineData("etl: [1]\n", "kind.yaml:1: etl: expected keys indented under it (a mapping), got a list")]
    [InlineData("source:\n  url:\n    - http://x:9090\n", "kind.yaml:3: source.url: expected a single value (text), got a list")]
    [InlineData("etl:\n  max_rejected_ratio: lots\n", "kind.yaml:2: etl.max_rejected_ratio: expected a number, got 'lots'")]
    [InlineData("etl:\n  window_hours: abc\n", "kind.yaml:2: etl.window_hours: expected a whole number, got 'abc'")]
    [InlineData("etl:\n  window_hours:\n    a: 1\n", "kind.yaml:3: etl.window_hours: expected a whole number, got a mapping")]
    [InlineData("source:\n  tls: {insecure_skip_verify: maybe}\n", "kind.yaml:2: source.tls.insecure_skip_verify: expected true or false, got 'maybe'")]
    public async Task A_config_value_of_the_wrong_kind_names_the_key_and_what_it_takes(string yaml, string expected)
    {
        var config = Path.Combine(_directory, "kind.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var result = await Cli.RunAsync("etl", "run", "--config", config, "--db", Db);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Headroom.Cli", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("etl:\n  concurrency: 0\n", "range.yaml:2: etl.concurrency must be between 1 and 64, got 0; change it or leave it out for the default")]
    [InlineData("etl:\n  window_hours: 24\n  chunk_hours: -1\n", "range.yaml:3: etl.chunk_hours must be between 1 and 10000, got -1")]
    [InlineData("source:\n  url: http://127.0.0.1:9\n  timeout: 0s\n", "range.yaml:3: source.timeout must be between 1ms and 1d, got 0s")]
    [InlineData("source:\n  timeout: 1000d\n", "range.yaml:2: source.timeout must be between 1ms and 1d, got 1000d")]
    [InlineData("etl: {rule_interval: 0s}\n", "range.yaml:1: etl.rule_interval must be between 1s and 1h, got 0s")]
    [InlineData("etl:\n  min_completeness: .nan\n", "range.yaml:2: etl.min_completeness must be between 0 and 1, got NaN")]
    [InlineData("serve:\n  interval: 0s\n", "range.yaml:2: serve.interval must be between 10s and 24d, got 0s")]
    [InlineData("etl:\n  concurrency: 99999999999\n", "range.yaml:2: etl.concurrency: '99999999999' is too large a number")]
    public async Task A_config_value_out_of_range_is_refused_with_its_file_line_and_key(string yaml, string expected)
    {
        var config = Path.Combine(_directory, "range.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var result = await Cli.RunAsync("etl", "backfill", "--config", config, "--source", "http://127.0.0.1:9", "--db", Db,
            "--from", "2026-11-19T18:00:00Z", "--to", "2026-11-19T19:00:00Z");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "w.db")), "refused before the warehouse is opened");
    }

    [Fact]
    public async Task An_unreachable_source_fails_after_retries_and_records_the_failed_run()
    {
        // A listener that reads each request and hangs up without answering: the client sees a transport failure
        // (transient), and every attempt is counted.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var attempts = 0;
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref attempts);
                try
                {
                    _ = await client.GetStream().ReadAsync(new byte[4096], stop.Token);
                }
                catch (IOException)
                {
                    // the client gave up first; the attempt is counted all the same
                }
                client.Client.Close();
            }
        });
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
        var result = await Cli.RunAsync("etl", "backfill", "--source", url, "--db", Db, "--from", "2026-11-19T18:00:00Z", "--to", "2026-11-19T19:00:00Z");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("the source failed", result.Error, StringComparison.Ordinal);
        // The window's five dimensions are read concurrently (recording rules first), each tried 1 + MaxRetries times;
        // where the source's history starts is asked only of a window that came back with an hour without data.
        var retries = new Etl.ExtractionOptions().MaxRetries;
        Assert.Equal(Etl.ProfileLoader.Load("node").Dimensions.Count * (1 + retries), attempts);

        var status = await Cli.RunAsync("etl", "status", "--db", Db, "--format", "json");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("\"status\": \"Failed\"", status.Output, StringComparison.Ordinal);
        Assert.Contains("\"rows_loaded\": 0", status.Output, StringComparison.Ordinal);
        Assert.Matches("\"error\": \"[^\"]*" + System.Text.RegularExpressions.Regex.Escape(url), status.Output);
    }
}
