using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.Prometheus.Aws;
using Headroom.Servers;

namespace Headroom.CloudWatch.Tests;

/// <summary>A real moto_server, started by the harness on a free loopback port, and helpers that put resources and datapoints into it.</summary>
public sealed class MotoAws : IAsyncLifetime
{
    public const string Region = "us-east-1";

    /// <summary>Any key works with moto; a key it did not issue belongs to its default account.</summary>
    public static readonly AwsCredentials Ambient = new("AKIDHEADROOMTEST", "headroom-test-secret");

    public const string DefaultAccount = "123456789012";

    public MotoServer Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public Uri Endpoint => Server.Endpoint;

    public async Task InitializeAsync() => Server = await MotoServer.StartAsync();

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Http.Dispose();
    }

    /// <summary>Clears moto's state so each test starts empty.</summary>
    public async Task ResetAsync()
    {
        using var response = await Http.PostAsync(new Uri(Endpoint, "moto-api/reset"), null);
        response.EnsureSuccessStatusCode();
    }

    public async Task<AwsCredentials> AssumeAsync(string roleArn)
    {
        using var sts = new AmazonSecurityTokenServiceClient(new BasicAWSCredentials(Ambient.AccessKeyId, Ambient.SecretAccessKey),
            new AmazonSecurityTokenServiceConfig { ServiceURL = Endpoint.ToString(), AuthenticationRegion = Region });
        var response = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "test-setup" });
        return new AwsCredentials(response.Credentials.AccessKeyId, response.Credentials.SecretAccessKey, response.Credentials.SessionToken);
    }

    /// <summary>Runs <paramref name="count"/> instances with the tags; returns their ids.</summary>
    public async Task<IReadOnlyList<string>> RunInstancesAsync(AwsCredentials credentials, int count, string type, params (string Key, string Value)[] tags)
    {
        using var ec2 = Ec2(credentials);
        var response = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = "ami-12c6146b",
            MinCount = count,
            MaxCount = count,
            InstanceType = InstanceType.FindValue(type),
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [.. tags.Select(t => new Amazon.EC2.Model.Tag(t.Key, t.Value))] }],
        });
        return response.Reservation.Instances.Select(i => i.InstanceId).ToList();
    }

    public async Task StopInstancesAsync(AwsCredentials credentials, params string[] ids)
    {
        using var ec2 = Ec2(credentials);
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [.. ids] });
    }

    /// <summary>PutMetricData through Headroom's own client (the JSON 1.0 protocol).</summary>
    internal async Task PutAsync(AwsCredentials credentials, string ns, IReadOnlyList<MetricDatum> data)
    {
        var client = new AwsHttpClient(Http, new AwsEndpoints(Endpoint), new CollectorMetrics(), TimeProvider.System);
        await new CloudWatchApi(client).PutMetricDataAsync(Region, credentials, ns, data, CancellationToken.None);
    }

    private AmazonEC2Client Ec2(AwsCredentials c) => new(
        c.SessionToken is { } token ? new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, token) : new BasicAWSCredentials(c.AccessKeyId, c.SecretAccessKey),
        new AmazonEC2Config { ServiceURL = Endpoint.ToString(), AuthenticationRegion = Region });
}

[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoAws>
{
    public const string Name = "moto";
}
