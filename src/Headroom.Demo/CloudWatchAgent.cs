using Headroom.CloudWatch.Aws;
using Headroom.Fleet;
using Headroom.Prometheus.Aws;

namespace Headroom.Demo;

/// <summary>
/// Stands in for EC2's own monitoring: puts each instance's statistics for every period that has ended, once, one
/// datapoint in the middle of the period, so CloudWatch's Average and Sum over the period are that value.
/// </summary>
internal sealed class CloudWatchAgent(IReadOnlyDictionary<string, SimulatedHost> instances, HttpClient http, Uri endpoint, IReadOnlyDictionary<string, AwsCredentials> credentials)
{
    private readonly Dictionary<string, CloudWatchPublisher> _publishers = credentials.ToDictionary(
        c => c.Key, c => new CloudWatchPublisher(http, new AwsEndpoints(endpoint), c.Value), StringComparer.Ordinal);

    // Per account and region, the start of the first period not put yet: a failed put is tried again whole on the
    // next tick, and a period is never put twice (CloudWatch would add a second datapoint to its sums).
    private readonly Dictionary<(string Account, string Region), DateTimeOffset> _next = [];

    public long Datapoints { get; private set; }

    /// <summary>Puts every period that ended by <paramref name="now"/> and was not put yet, at most <paramref name="periods"/> back.</summary>
    public async Task PutThroughAsync(DateTimeOffset now, int periods, CancellationToken cancellationToken)
    {
        var seconds = (long)AwsStory.Period.TotalSeconds;
        var lastStart = DateTimeOffset.FromUnixTimeSeconds((now.ToUnixTimeSeconds() / seconds * seconds) - seconds);
        foreach (var group in instances.GroupBy(i => (i.Value.Account, i.Value.Region)))
        {
            var points = new List<Datapoint>();
            for (var start = _next.GetValueOrDefault(group.Key, lastStart - (AwsStory.Period * (periods - 1))); start <= lastStart; start += AwsStory.Period)
            {
                foreach (var (id, host) in group)
                {
                    if (start < host.BootTime)
                        continue;
                    var p = host.CloudWatchAt(start, AwsStory.Period);
                    var dimensions = new Dictionary<string, string> { ["InstanceId"] = id };
                    var at = start + (AwsStory.Period / 2);
                    points.Add(new Datapoint("CPUUtilization", dimensions, at, p.CpuPercent, "Percent"));
                    points.Add(new Datapoint("NetworkIn", dimensions, at, p.NetworkInBytes, "Bytes"));
                    points.Add(new Datapoint("NetworkOut", dimensions, at, p.NetworkOutBytes, "Bytes"));
                }
            }
            if (points.Count > 0)
            {
                await _publishers[group.Key.Account].PutAsync(group.Key.Region, "AWS/EC2", points, cancellationToken).ConfigureAwait(false);
                Datapoints += points.Count;
            }
            _next[group.Key] = lastStart + AwsStory.Period;
        }
    }

    /// <summary>Every 15 seconds, puts the periods that have ended since.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15));
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await PutThroughAsync(TimeProvider.System.GetUtcNow(), 1, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or AwsApiException)
                {
                    // moto_server is local; what failed is put on the next tick.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
