using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Aws;

/// <summary>
/// Puts resources into an AWS-compatible endpoint (moto_server) for demos: assumes roles into accounts and runs tagged
/// EC2 instances there. Datapoints go in with <see cref="CloudWatchPublisher"/>.
/// </summary>
public sealed class AwsSandbox(Uri endpoint, AwsCredentials ambient)
{
    /// <summary>Credentials of <paramref name="roleArn"/>'s account (moto accepts any role and takes the account from the ARN).</summary>
    public async Task<AwsCredentials> AssumeRoleAsync(string roleArn, string region, CancellationToken cancellationToken = default)
    {
        using var sts = new AmazonSecurityTokenServiceClient(Sdk(ambient), new AmazonSecurityTokenServiceConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = region });
        var response = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "headroom-demo" }, cancellationToken).ConfigureAwait(false);
        return new AwsCredentials(response.Credentials.AccessKeyId, response.Credentials.SecretAccessKey, response.Credentials.SessionToken);
    }

    /// <summary>Runs one instance of <paramref name="instanceType"/> with <paramref name="tags"/>; returns its id.</summary>
    public async Task<string> RunInstanceAsync(AwsCredentials credentials, string region, string instanceType, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        using var ec2 = new AmazonEC2Client(Sdk(credentials), new AmazonEC2Config { ServiceURL = endpoint.ToString(), AuthenticationRegion = region });
        var response = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = "ami-12c6146b",
            MinCount = 1,
            MaxCount = 1,
            InstanceType = InstanceType.FindValue(instanceType),
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [.. tags.Select(t => new Amazon.EC2.Model.Tag(t.Key, t.Value))] }],
        }, cancellationToken).ConfigureAwait(false);
        return response.Reservation.Instances[0].InstanceId;
    }

    private static AWSCredentials Sdk(AwsCredentials c) =>
        c.SessionToken is { } token ? new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, token) : new BasicAWSCredentials(c.AccessKeyId, c.SecretAccessKey);
}
