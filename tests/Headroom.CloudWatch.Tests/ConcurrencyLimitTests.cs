using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;

namespace Headroom.CloudWatch.Tests;

/// <summary>Each API has its own concurrency limit: one busy API does not hold back another.</summary>
public class ConcurrencyLimitTests
{
    [Fact]
    public async Task No_more_than_the_limit_run_at_once_per_api_and_apis_do_not_share_it()
    {
        using var http = new HttpClient();
        var client = new AwsHttpClient(http, new AwsEndpoints(new Uri("http://127.0.0.1:9/")), new CollectorMetrics(), TimeProvider.System, new RetryOptions { ConcurrencyPerApi = 3 });
        var running = new Dictionary<string, int> { ["GetMetricData"] = 0, ["ListMetrics"] = 0 };
        var peak = new Dictionary<string, int> { ["GetMetricData"] = 0, ["ListMetrics"] = 0 };
        var gate = new object();
        // Every call holds its slot until all 24 are issued: the calls overlap however slowly the machine runs them
        // (a fixed delay in each let them finish one by one when the thread was descheduled).
        var issued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<int> Work(string api)
        {
            lock (gate)
            {
                running[api]++;
                peak[api] = Math.Max(peak[api], running[api]);
            }
            await issued.Task.WaitAsync(TimeSpan.FromMinutes(1));
            lock (gate)
                running[api]--;
            return 0;
        }

        var calls = Enumerable.Range(0, 12).SelectMany(_ => new[]
        {
            client.WithRetriesAsync(AwsApi.GetMetricData, () => Work("GetMetricData"), CancellationToken.None),
            client.WithRetriesAsync(AwsApi.ListMetrics, () => Work("ListMetrics"), CancellationToken.None),
        }).ToList();
        issued.SetResult();
        await Task.WhenAll(calls);

        Assert.Equal(3, peak["GetMetricData"]);
        Assert.Equal(3, peak["ListMetrics"]);
        Assert.Equal(12, client.Metrics.RequestCount("GetMetricData"));
    }
}
