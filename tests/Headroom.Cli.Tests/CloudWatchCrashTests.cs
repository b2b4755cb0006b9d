using System.Diagnostics;
using Headroom.CloudWatch.Aws;
using Headroom.Prometheus.Aws;
using Headroom.Servers;
using Headroom.Testing;
using Headroom.Warehouse;

namespace Headroom.Cli.Tests;

/// <summary>
/// The CloudWatch-direct path killed with SIGKILL mid-load, then run again: a real <c>headroom</c> child process against a
/// real moto_server, killed once its watermark has moved (a window of its own committed), at a random point of the next
/// window, as <see cref="CrashTests"/> does for the Prometheus path. The warehouse must equal an uninterrupted run's.
/// </summary>
public sealed class CloudWatchCrashTests(Xunit.Abstractions.ITestOutputHelper log) : IAsyncLifetime
{
    private const string Account = "123456789012";
    private const string Region = "us-east-1";
    private static readonly string s_source = $"cloudwatch:{Account}/{Region}";
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-cw-crash-").FullName;
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal)
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIDCRASHTEST",
        ["AWS_SECRET_ACCESS_KEY"] = "crash-test-secret",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    private const int Hours = 12;
    private MotoServer _moto = null!;

    // 12 whole hours that ended at least an hour ago: CloudWatch's path refuses a window in the future.
    private readonly DateTimeOffset _end = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(-1);

    public async Task InitializeAsync() => _moto = await MotoServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _moto.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Killing_the_cloudwatch_etl_mid_window_and_running_it_again_gives_the_warehouse_of_a_clean_run()
    {
        // Three instances with 12 hours of 5-minute CPUUtilization, NetworkIn and NetworkOut.
        var credentials = new AwsCredentials(_environment["AWS_ACCESS_KEY_ID"], _environment["AWS_SECRET_ACCESS_KEY"]);
        var sandbox = new AwsSandbox(_moto.Endpoint, credentials);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add(await sandbox.RunInstanceAsync(credentials, Region, "m5.large", new Dictionary<string, string> { ["Name"] = $"web-{i}" }));
        var points = new List<Datapoint>();
        for (var t = _end.AddHours(-Hours); t < _end; t = t.AddMinutes(5))
        {
            for (var i = 0; i < ids.Count; i++)
            {
                var dimensions = new Dictionary<string, string> { ["InstanceId"] = ids[i] };
                var slot = t.ToUnixTimeSeconds() / 300;
                points.Add(new Datapoint("CPUUtilization", dimensions, t.AddSeconds(150), 5 + ((slot * 7 + i * 13) % 60), "Percent"));
                points.Add(new Datapoint("NetworkIn", dimensions, t.AddSeconds(150), 1_000_000 + (slot % 97 * 1000), "Bytes"));
                points.Add(new Datapoint("NetworkOut", dimensions, t.AddSeconds(150), 500_000 + (slot % 89 * 1000), "Bytes"));
            }
        }
        using var http = new HttpClient();
        await new CloudWatchPublisher(http, new AwsEndpoints(_moto.Endpoint), credentials).PutAsync(Region, "AWS/EC2", points);

        var yace = Path.Combine(_directory, "yace.yml");
        await File.WriteAllTextAsync(yace, CloudWatchConfigs.AwsEc2Profile);
        // 12 one-hour windows from a first run (no --from): the watermark carries each restart forward.
        var config = Path.Combine(_directory, "headroom.yaml");
        await File.WriteAllTextAsync(config, $"etl:\n  first_run_lookback: {Hours}h\n  window_hours: 1\n");
        string[] Args(string db) => ["etl", "run", "--config", config, "--source", "cloudwatch", "--cloudwatch-config", yace, "--aws-endpoint-url", _moto.Endpoint.ToString(),
            "--db", "sqlite:" + db, "--to", _end.ToString("O")];

        var crashed = Path.Combine(_directory, "crashed.db");
        // A window against moto takes milliseconds, so a run could finish all of them before the test sees its watermark move
        // (2 of 4 full runs on 2026-11-30 left nothing to kill). Each commit of the killed runs sleeps 150 ms inside its
        // transaction, after the hourly rows and before the daily ones: a run takes about 2 s, each kill comes within 120 ms of a commit, and most land there.
        var slowed = new Dictionary<string, string>(_environment) { [Failpoint.Variable] = "warehouse.commit.daily=sleep(150)" };
        var runs = await SigkillRuns.RunAsync(() => Process.Start(Cli.StartInfo(slowed, Args(crashed)))!, crashed, "aws-ec2", s_source, attempts: 3, new Random(20261130), maxDelayMilliseconds: 100);
        log.WriteLine(string.Join("\n", runs.Attempts));
        Assert.True(runs.Killed >= 2, $"fewer than 2 runs were killed after committing a window: {string.Join("; ", runs.Attempts)}");
        Assert.True(runs.Watermark < _end, $"the killed runs loaded everything (watermark {runs.Watermark:O}): nothing was left for the rerun; {string.Join("; ", runs.Attempts)}");

        var final = await Cli.RunProcessAsync(_environment, Args(crashed));
        Assert.True(final.ExitCode == 0, final.Error + final.Output);
        var reference = Path.Combine(_directory, "reference.db");
        // The uninterrupted run in this process: the same command, one process start less.
        foreach (var (name, value) in _environment)
            Environment.SetEnvironmentVariable(name, value);
        var clean = await Cli.RunAsync(Args(reference));
        Assert.True(clean.ExitCode == 0, clean.Error + clean.Output);

        await using var a = await Warehouse.Warehouse.OpenAsync("sqlite:" + crashed);
        await using var b = await Warehouse.Warehouse.OpenAsync("sqlite:" + reference);
        var expected = (await b.ReadHourlyAsync("aws-ec2")).OrderBy(r => (r.ResourceKey, r.Dimension, r.HourStart)).ToList();
        var actual = (await a.ReadHourlyAsync("aws-ec2")).OrderBy(r => (r.ResourceKey, r.Dimension, r.HourStart)).ToList();
        Assert.Equal(ids.Count * Hours * 3, expected.Count);
        Assert.Equal(expected, actual);
        Assert.Equal(await b.ReadDailyAsync("aws-ec2"), await a.ReadDailyAsync("aws-ec2"));
        Assert.Equal((await b.ReadResourcesAsync("aws-ec2")).Select(r => (r.Key, r.InstanceType, r.Name)), (await a.ReadResourcesAsync("aws-ec2")).Select(r => (r.Key, r.InstanceType, r.Name)));
        Assert.Empty(await a.ListOpenGapsAsync("aws-ec2", s_source));
        Assert.Equal(_end, (await a.GetWatermarkAsync("aws-ec2", s_source))?.End);
    }
}
