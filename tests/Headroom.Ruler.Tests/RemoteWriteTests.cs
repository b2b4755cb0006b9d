using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Headroom.Prometheus.RemoteWrite;
using Headroom.PromQL;
using Headroom.Testing;
using Snappier;

namespace Headroom.Ruler.Tests;

/// <summary>Remote write encoding read back by Google.Protobuf, and the queue against a loopback receiver that fails on demand.</summary>
public sealed class RemoteWriteTests
{
    [Fact]
    public void Encoding_reads_back_with_google_protobuf()
    {
        var series = new[]
        {
            new WriteSeries(Labels.Of("__name__", "instance:cpu:rate5m", "instance", "a", "région", "é"), [new(1_700_000_000_000, 0.25), new(1_700_000_060_000, StaleMarker.Value)]),
            new WriteSeries(Labels.Of("__name__", "up"), [new(-5, double.NegativeInfinity)]),
        };
        var bytes = WriteRequestCodec.Encode(series);
        var decoded = new List<(List<(string, string)> Labels, List<(double, long)> Samples)>();
        var input = new CodedInputStream(bytes);
        while (input.ReadTag() is var tag and not 0)
        {
            Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited), tag);
            var ts = new CodedInputStream(input.ReadBytes().ToByteArray());
            var labels = new List<(string, string)>();
            var samples = new List<(double, long)>();
            while (ts.ReadTag() is var t and not 0)
            {
                var inner = new CodedInputStream(ts.ReadBytes().ToByteArray());
                if (WireFormat.GetTagFieldNumber(t) == 1)
                {
                    inner.ReadTag();
                    var name = inner.ReadString();
                    inner.ReadTag();
                    labels.Add((name, inner.ReadString()));
                }
                else
                {
                    Assert.Equal(2, WireFormat.GetTagFieldNumber(t));
                    inner.ReadTag();
                    var value = inner.ReadDouble();
                    inner.ReadTag();
                    samples.Add((value, inner.ReadInt64()));
                }
            }
            decoded.Add((labels, samples));
        }
        Assert.Equal(2, decoded.Count);
        Assert.Equal([("__name__", "instance:cpu:rate5m"), ("instance", "a"), ("région", "é")], decoded[0].Labels);
        Assert.Equal(0.25, decoded[0].Samples[0].Item1);
        Assert.Equal(1_700_000_000_000, decoded[0].Samples[0].Item2);
        Assert.True(StaleMarker.IsStale(decoded[0].Samples[1].Item1));
        Assert.Equal((double.NegativeInfinity, -5L), decoded[1].Samples[0]);
        // And the codec's own reader agrees.
        var back = WriteRequestCodec.Decode(bytes);
        Assert.Equal(series[0].Labels, back[0].Labels);
        Assert.Equal(series[1].Samples, back[1].Samples);
    }

    [Fact]
    public async Task Failed_requests_are_sent_again_until_taken_and_nothing_is_lost()
    {
        await using var receiver = new Receiver();
        receiver.Script.Enqueue(503);
        receiver.Script.Enqueue(429);
        receiver.Script.Enqueue(500);
        var observer = new CountingObserver();
        using var http = new HttpClient();
        await using var queue = new RemoteWriteQueue(new RemoteWriteClient(http, receiver.Url), Options(capacity: 1000), observer);
        queue.Enqueue(Series(0, 250));
        await queue.StopAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(250, receiver.Samples.Count);
        Assert.Equal(Enumerable.Range(0, 250).Select(i => (long)i), receiver.Samples.Select(s => s.T).Order());
        Assert.Equal(3, observer.FailedRequests);
        Assert.Equal(250, observer.Sent);
        Assert.Empty(observer.Dropped);
        Assert.All(receiver.Headers, h => Assert.Equal(("snappy", "application/x-protobuf", "0.1.0"), h));
        // Batches of at most 100 samples.
        Assert.True(receiver.Requests >= 3 + 3, $"{receiver.Requests} requests");
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_what_does_not_fit()
    {
        await using var receiver = new Receiver { Status = 503 };
        var observer = new CountingObserver();
        using var http = new HttpClient();
        await using var queue = new RemoteWriteQueue(new RemoteWriteClient(http, receiver.Url), Options(capacity: 150), observer);
        Assert.Equal(150, queue.Enqueue(Series(0, 200)));
        Assert.Equal(50, observer.Dropped[DropReasons.QueueFull]);
        await Task.Delay(300);
        Assert.Equal(0, queue.Enqueue(Series(200, 10)));
        Assert.Equal(60, observer.Dropped[DropReasons.QueueFull]);
        Assert.True(observer.FailedRequests > 0);
        // The receiver comes back: what was queued all arrives.
        receiver.Status = 200;
        await queue.StopAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(150, receiver.Samples.Count);
        Assert.Equal(150, observer.Sent);
    }

    [Fact]
    public async Task A_refused_request_is_dropped_and_counted_not_retried()
    {
        await using var receiver = new Receiver();
        receiver.Script.Enqueue(400);
        var observer = new CountingObserver();
        using var http = new HttpClient();
        await using var queue = new RemoteWriteQueue(new RemoteWriteClient(http, receiver.Url), Options(capacity: 1000), observer);
        queue.Enqueue(Series(0, 100));
        queue.Enqueue(Series(100, 20));
        await queue.StopAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(100, observer.Dropped[DropReasons.Rejected]);
        Assert.Equal(20, receiver.Samples.Count);
        Assert.Equal(0, observer.FailedRequests);
    }

    [Fact]
    public async Task Stopping_with_the_receiver_down_counts_the_rest_as_dropped()
    {
        await using var receiver = new Receiver { Status = 503 };
        var observer = new CountingObserver();
        using var http = new HttpClient();
        await using var queue = new RemoteWriteQueue(new RemoteWriteClient(http, receiver.Url), Options(capacity: 1000), observer);
        queue.Enqueue(Series(0, 30));
        await queue.StopAsync(TimeSpan.FromMilliseconds(500));
        Assert.Equal(30, observer.Dropped[DropReasons.Shutdown]);
        Assert.Empty(receiver.Samples);
    }

    [Fact]
    public async Task SigV4_signs_what_arrives_for_amazon_managed_prometheus()
    {
        await using var receiver = new Receiver();
        var credentials = new Headroom.Prometheus.Aws.AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token");
        var now = new DateTimeOffset(2026, 11, 30, 1, 2, 3, TimeSpan.Zero);
        using var http = new HttpClient();
        var client = new RemoteWriteClient(http, receiver.Url,
            (request, body) => Headroom.Prometheus.Aws.SigV4Signer.Sign(request, body, credentials, "eu-west-1", "aps", now));
        var body = RemoteWriteClient.Compress(WriteRequestCodec.Encode([.. Series(0, 3)]));
        Assert.Equal(RemoteWriteStatus.Sent, (await client.SendAsync(body)).Status);

        var (headers, received, url) = Assert.Single(receiver.Raw);
        var authorization = headers["Authorization"]!;
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/eu-west-1/aps/aws4_request, SignedHeaders=", authorization, StringComparison.Ordinal);
        Assert.Equal("20261130T010203Z", headers["X-Amz-Date"]);
        Assert.Equal("session-token", headers["X-Amz-Security-Token"]);
        // Sign again from what arrived: the same signature means no signed header changed on the way (AMP would refuse otherwise).
        var signed = authorization[(authorization.IndexOf("SignedHeaders=", StringComparison.Ordinal) + 14)..authorization.IndexOf(',', authorization.IndexOf("SignedHeaders=", StringComparison.Ordinal))].Split(';');
        Assert.Contains("content-encoding", signed);
        Assert.Contains("x-prometheus-remote-write-version", signed);
        var arrived = signed.Select(name => new KeyValuePair<string, string>(name, headers[name]!)).ToList();
        var again = Headroom.Prometheus.Aws.SigV4Signer.Compute(new Headroom.Prometheus.Aws.SigningInput("POST", url, arrived,
            Headroom.Prometheus.Aws.SigV4Signer.HexSha256(received), "eu-west-1", "aps", now), credentials);
        Assert.Equal(again.Authorization, authorization);
    }

    private static RemoteWriteOptions Options(int capacity) => new()
    {
        Capacity = capacity,
        MaxSamplesPerSend = 100,
        BatchSendDeadline = TimeSpan.FromMilliseconds(50),
        MinBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(100),
    };

    private static IEnumerable<WriteSeries> Series(int from, int count) =>
        Enumerable.Range(from, count).Select(i => new WriteSeries(Labels.Of("__name__", "x", "i", (i % 7).ToString(System.Globalization.CultureInfo.InvariantCulture)), [new(i, i)]));

    private sealed class CountingObserver : IRemoteWriteObserver
    {
        public ConcurrentDictionary<string, int> Dropped { get; } = new();
        public int Sent;
        public int FailedRequests;

        void IRemoteWriteObserver.Sent(int samples, long highestTimestamp) => Interlocked.Add(ref Sent, samples);
        void IRemoteWriteObserver.Dropped(string reason, int samples) => Dropped.AddOrUpdate(reason, samples, (_, n) => n + samples);
        void IRemoteWriteObserver.FailedRequest() => Interlocked.Increment(ref FailedRequests);
        void IRemoteWriteObserver.Pending(int samples) { }
    }

    /// <summary>A loopback remote write receiver: answers <see cref="Status"/> (or the next scripted status) and keeps what a 2xx took.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly LoopbackHttpServer _server;

        public Receiver()
        {
            _server = new LoopbackHttpServer(ReceiveAsync);
            Url = new Uri(_server.BaseUri, "api/v1/write");
        }

        public Uri Url { get; }
        public volatile int Status = 200;
        public ConcurrentQueue<int> Script { get; } = new();
        public ConcurrentQueue<FloatPoint> Samples { get; } = new();
        public ConcurrentQueue<(string, string, string)> Headers { get; } = new();
        public ConcurrentQueue<(System.Collections.Specialized.NameValueCollection Headers, byte[] Body, Uri Url)> Raw { get; } = new();
        public int Requests;

        private async Task ReceiveAsync(HttpListenerContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Requests);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, cancellationToken);
            Raw.Enqueue((context.Request.Headers, body.ToArray(), context.Request.Url!));
            var status = Script.TryDequeue(out var scripted) ? scripted : Status;
            if (status == 200)
            {
                Headers.Enqueue((context.Request.Headers["Content-Encoding"]!, context.Request.ContentType!, context.Request.Headers["X-Prometheus-Remote-Write-Version"]!));
                foreach (var series in WriteRequestCodec.Decode(Snappy.DecompressToArray(body.ToArray())))
                {
                    foreach (var sample in series.Samples)
                        Samples.Enqueue(sample);
                }
            }
            context.Response.StatusCode = status == 200 ? 204 : status;
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
