using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Headroom.Lake.Query;
using Headroom.Lake.Storage;
using Headroom.Lake.Utilization;
using Headroom.Prometheus.Aws;
using Headroom.Servers;
using Headroom.Warehouse.Tests;
using Xunit.Abstractions;

namespace Headroom.Lake.Tests;

/// <summary>moto_server's S3, one per class.</summary>
public sealed class MotoS3 : IAsyncLifetime
{
    public static readonly AwsCredentials Credentials = new("testing", "testing");

    public MotoServer? Server { get; private set; }

    public string? Missing { get; private set; }

    public async Task InitializeAsync()
    {
        try
        {
            Server = await MotoServer.StartAsync();
        }
        catch (MissingBinaryException e)
        {
            Missing = e.Message;
        }
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
            await Server.DisposeAsync();
    }

    public async Task CreateBucketAsync(HttpClient http, string bucket)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(Server!.Endpoint, bucket));
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", SigV4Signer.EmptyPayloadHash);
        SigV4Signer.Sign(request, [], Credentials, "us-east-1", "s3", DateTimeOffset.UtcNow);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"creating bucket {bucket}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public S3ObjectStore Store(HttpClient http, string bucket, string prefix, S3AddressingStyle addressing = S3AddressingStyle.Auto, Uri? endpoint = null) =>
        new(http, new S3Options(bucket, prefix, "us-east-1", () => Credentials)
        {
            Endpoint = endpoint ?? Server!.Endpoint,
            Addressing = addressing,
            MultipartThreshold = 6 << 20,
            PartSize = 5 << 20,
            CacheDirectory = LakeSamples.NewFolder(),
        });
}

public sealed class S3Tests(MotoS3 moto, SqliteDatabases databases, ITestOutputHelper log) : IClassFixture<MotoS3>, IClassFixture<SqliteDatabases>
{
    [SkippableFact]
    public async Task Export_to_S3_lists_and_queries_back_like_a_folder()
    {
        Skip.If(moto.Missing is not null, moto.Missing);
        using var http = new HttpClient();
        await moto.CreateBucketAsync(http, "lake-round-trip");
        await using var warehouse = await Warehouse.Warehouse.OpenAsync(await databases.NewDatabaseUrlAsync());
        await warehouse.MigrateAsync();
        await LakeSamples.FillAsync(warehouse, resources: 4, days: 2);
        await using var s3 = moto.Store(http, "lake-round-trip", "headroom/utilization");
        var report = await LakeSamples.ExportAsync(warehouse, s3);
        log.WriteLine(report.ToString());

        var keys = new List<string>();
        await foreach (var o in s3.ListAsync(""))
            keys.Add(o.Key);
        Assert.Contains("table=hourly/date=2026-10-01/account=111111111111/region=us-east-1/part-0.parquet", keys);
        Assert.Contains("table=hourly/date=2026-10-02/account=none/region=none/_manifest.json", keys);
        Assert.Contains(LakeLayout.WatermarkKey, keys);
        Assert.Equal(report.PartitionsWritten * 2 + 1, keys.Count);

        await using var lake = await LakeQuery.OpenAsync(s3);
        var expected = await LakeSamples.WarehouseAggregatesAsync(warehouse);
        var actual = (await lake.QueryAsync(LakeSamples.LakeAggregatesSql)).Rows;
        Assert.Equal(expected.Keys, actual.Select(r => (string)r[0]!));
        Assert.Equal(expected.Values.Sum(v => v.Hours), actual.Sum(r => (long)r[1]!));

        // Virtual-hosted addressing: the bucket in the host name (lake-round-trip.localhost, sent to moto's loopback port).
        using var virtualHttp = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        var virtualEndpoint = new UriBuilder(moto.Server!.Endpoint) { Host = "localhost" }.Uri;
        await using var hosted = moto.Store(virtualHttp, "lake-round-trip", "headroom/utilization", S3AddressingStyle.VirtualHosted, virtualEndpoint);
        Assert.Equal(await s3.GetAsync(LakeLayout.WatermarkKey), await hosted.GetAsync(LakeLayout.WatermarkKey));
    }

    [SkippableFact]
    public async Task A_large_file_goes_up_in_parts_and_comes_back_whole()
    {
        Skip.If(moto.Missing is not null, moto.Missing);
        using var http = new HttpClient();
        await moto.CreateBucketAsync(http, "lake-multipart");
        await using var s3 = moto.Store(http, "lake-multipart", "");
        var content = RandomNumberGenerator.GetBytes((11 << 20) + 12345);
        var local = s3.NewStagingPath(".bin");
        await File.WriteAllBytesAsync(local, content);
        await s3.PutFileAsync("big/object.bin", local);
        Assert.False(File.Exists(local));
        Assert.Equal(content.Length, await s3.SizeAsync("big/object.bin"));
        Assert.Equal(SHA256.HashData(content), SHA256.HashData((await s3.GetAsync("big/object.bin"))!));
    }

    [SkippableFact]
    public async Task A_bucket_that_refuses_writes_fails_clearly_and_publishes_nothing()
    {
        Skip.If(moto.Missing is not null, moto.Missing);
        await using var warehouse = await Warehouse.Warehouse.OpenAsync(await databases.NewDatabaseUrlAsync());
        await warehouse.MigrateAsync();
        await LakeSamples.FillAsync(warehouse, resources: 3, days: 2);

        using var http = new HttpClient();
        await using (var missing = moto.Store(http, "no-such-bucket", "lake"))
        {
            var error = await Assert.ThrowsAsync<ObjectStoreException>(() => LakeSamples.ExportAsync(warehouse, missing));
            log.WriteLine(error.Message);
            Assert.Contains("NoSuchBucket", error.Message, StringComparison.Ordinal);
            Assert.Contains("create the bucket no-such-bucket", error.Message, StringComparison.Ordinal);
        }

        // A real bucket behind a policy that denies PutObject, played by a proxy answering S3's AccessDenied to every PUT.
        await moto.CreateBucketAsync(http, "lake-read-only");
        using var refusing = new HttpClient(new RefusePuts { InnerHandler = new HttpClientHandler() });
        await using var readOnly = moto.Store(refusing, "lake-read-only", "lake");
        var denied = await Assert.ThrowsAsync<ObjectStoreException>(() => LakeSamples.ExportAsync(warehouse, readOnly));
        log.WriteLine(denied.Message);
        Assert.Contains("AccessDenied", denied.Message, StringComparison.Ordinal);
        Assert.Contains("bucket policy", denied.Message, StringComparison.Ordinal);
        await using var lake = await LakeQuery.OpenAsync(moto.Store(http, "lake-read-only", "lake"));
        Assert.Empty(lake.Manifests);
        var listed = 0;
        await foreach (var _ in moto.Store(http, "lake-read-only", "").ListAsync(""))
            listed++;
        Assert.Equal(0, listed);
    }

    private sealed class RefusePuts : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.Method == HttpMethod.Put
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.Forbidden)
                {
                    Content = new StringContent("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"),
                })
                : base.SendAsync(request, cancellationToken);
    }
}
