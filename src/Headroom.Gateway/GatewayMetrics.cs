using Headroom.Gateway.Federation;
using Headroom.PromQL.Storage;
using Prometheus;

namespace Headroom.Gateway;

/// <summary>
/// The gateway's own metrics, served at <c>/metrics</c>: query latency per endpoint, per-replica latency and
/// errors, partial responses, switches to another replica to fill a gap, pushed-down subqueries and their hedges,
/// queries refused for load.
/// Each gateway has its own registry, so several can run in one process (tests).
/// </summary>
public sealed class GatewayMetrics
{
    private readonly Histogram _requests;
    private readonly Histogram _backend;
    private readonly Counter _backendErrors;
    private readonly Counter _partial;
    private readonly Counter _switches;
    private readonly Counter _pushdowns;
    private readonly Counter _hedges;
    private readonly Counter _rejected;
    private readonly Gauge _inFlight;
    private readonly Counter _reloads;

    /// <summary>Creates the metrics in a registry of their own.</summary>
    public GatewayMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateHistogram("headroom_gateway_request_duration_seconds", "Time to answer an API request, by endpoint and status code.",
            new HistogramConfiguration { LabelNames = ["endpoint", "code"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });
        _backend = factory.CreateHistogram("headroom_gateway_backend_request_duration_seconds", "Time a replica took to answer, by shard and replica.",
            new HistogramConfiguration { LabelNames = ["shard", "replica"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });
        _backendErrors = factory.CreateCounter("headroom_gateway_backend_errors_total", "Requests to a replica that failed, by shard and replica.",
            new CounterConfiguration { LabelNames = ["shard", "replica"] });
        _partial = factory.CreateCounter("headroom_gateway_partial_responses_total", "Answers that left out a shard with no healthy replica, by shard.",
            new CounterConfiguration { LabelNames = ["shard"] });
        _switches = factory.CreateCounter("headroom_gateway_replica_switches_total",
            "Times deduplication moved a series' answer to another replica to fill a gap, by shard.", new CounterConfiguration { LabelNames = ["shard"] });
        _pushdowns = factory.CreateCounter("headroom_gateway_pushdowns_total", "Subqueries evaluated on the shards instead of in the gateway.");
        _hedges = factory.CreateCounter("headroom_gateway_pushdown_hedges_total",
            "Pushed queries sent to a shard's next replica too because the first had not answered long after most other shards had, by shard.",
            new CounterConfiguration { LabelNames = ["shard"] });
        _rejected = factory.CreateCounter("headroom_gateway_queries_rejected_total", "Queries refused because the queue was full.");
        _inFlight = factory.CreateGauge("headroom_gateway_queries_in_flight", "Queries being evaluated.");
        _reloads = factory.CreateCounter("headroom_gateway_config_reloads_total", "Configuration reloads, by result.",
            new CounterConfiguration { LabelNames = ["result"] });
    }

    /// <summary>The registry the metrics live in.</summary>
    public CollectorRegistry Registry { get; }

    internal void Request(string endpoint, int code, TimeSpan elapsed) =>
        _requests.WithLabels(endpoint, code.ToString(System.Globalization.CultureInfo.InvariantCulture)).Observe(elapsed.TotalSeconds);

    internal void BackendRequest(string shard, ISeriesSource replica, TimeSpan elapsed, bool failed)
    {
        var name = (replica as ReplicaBackend)?.Name ?? "in-process";
        _backend.WithLabels(shard, name).Observe(elapsed.TotalSeconds);
        if (failed)
        {
            _backendErrors.WithLabels(shard, name).Inc();
        }
    }

    internal void PartialResponse(string shard) => _partial.WithLabels(shard).Inc();

    internal void ReplicaSwitches(string shard, int switches) => _switches.WithLabels(shard).Inc(switches);

    internal void Pushdown() => _pushdowns.Inc();

    internal void PushdownHedge(string shard) => _hedges.WithLabels(shard).Inc();

    internal void Rejected() => _rejected.Inc();

    internal IDisposable InFlight() => _inFlight.TrackInProgress();

    internal void Reload(bool succeeded) => _reloads.WithLabels(succeeded ? "success" : "failure").Inc();
}
