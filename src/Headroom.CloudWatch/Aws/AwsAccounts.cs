using System.Collections.Concurrent;
using Amazon;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Headroom.CloudWatch.Config;
using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Aws;

/// <summary>
/// Credentials per role and the calls made through the AWS SDK: the ambient credentials come from AWSSDK.Core's standard
/// chain (environment, profile, container, instance metadata); roles are assumed with STS (AWSSDK.SecurityToken), with
/// their external id, and cached until five minutes before they expire; instances are described with AWSSDK.EC2.
/// </summary>
internal sealed class AwsAccounts(AwsHttpClient client, AwsEndpoints endpoints, string? stsRegion, Func<AwsCredentials>? ambient = null)
{
    private static readonly TimeSpan s_refreshBefore = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (AwsCredentials Credentials, DateTimeOffset Expires)> _assumed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _accounts = new(StringComparer.Ordinal);
    private AwsCredentials? _ambient;

    /// <summary>Credentials of the standard chain, resolved once.</summary>
    public async Task<AwsCredentials> AmbientAsync()
    {
        if (_ambient is { } known)
            return known;
        if (ambient is not null)
            return _ambient = ambient();
        AWSCredentials chain;
        try
        {
            chain = DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException e)
        {
            throw new AwsApiException("Credentials", null, "NoCredentials", $"no AWS credentials found ({e.Message}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with an instance role", e);
        }
        var immutable = await chain.GetCredentialsAsync().ConfigureAwait(false);
        return _ambient = new AwsCredentials(immutable.AccessKey, immutable.SecretKey, immutable.UseToken ? immutable.Token : null);
    }

    /// <summary>Credentials for <paramref name="role"/>: ambient, or assumed through STS.</summary>
    public async Task<AwsCredentials> CredentialsAsync(RoleConfig role, string region, CancellationToken cancellationToken)
    {
        var baseCredentials = await AmbientAsync().ConfigureAwait(false);
        if (role.RoleArn is null)
            return baseCredentials;
        var key = $"{role.RoleArn}|{role.ExternalId}";
        if (_assumed.TryGetValue(key, out var cached) && cached.Expires - s_refreshBefore > client.Time.GetUtcNow())
            return cached.Credentials;

        var stsRegionName = stsRegion ?? region;
        using var sts = new AmazonSecurityTokenServiceClient(Sdk(baseCredentials), SdkConfig(new AmazonSecurityTokenServiceConfig(), AwsService.Sts, stsRegionName));
        var response = await client.WithRetriesAsync(AwsApi.AssumeRole, () => Sdk(AwsApi.AssumeRole, () => sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = role.RoleArn,
            ExternalId = role.ExternalId,
            RoleSessionName = "headroom-cloudwatch",
            DurationSeconds = 3600,
        }, cancellationToken)), cancellationToken).ConfigureAwait(false);
        var c = response.Credentials;
        var credentials = new AwsCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
        _assumed[key] = (credentials, c.Expiration is { } e ? new DateTimeOffset(DateTime.SpecifyKind(e, DateTimeKind.Utc)) : client.Time.GetUtcNow().AddHours(1));
        return credentials;
    }

    /// <summary>The account id of <paramref name="role"/>: from its ARN, else from STS GetCallerIdentity (cached).</summary>
    public async Task<string> AccountIdAsync(RoleConfig role, string region, CancellationToken cancellationToken)
    {
        if (role.AccountId is { } fromArn)
            return fromArn;
        if (_accounts.TryGetValue("", out var known))
            return known;
        var credentials = await AmbientAsync().ConfigureAwait(false);
        using var sts = new AmazonSecurityTokenServiceClient(Sdk(credentials), SdkConfig(new AmazonSecurityTokenServiceConfig(), AwsService.Sts, stsRegion ?? region));
        var identity = await client.WithRetriesAsync(AwsApi.GetCallerIdentity,
            () => Sdk(AwsApi.GetCallerIdentity, () => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken)), cancellationToken).ConfigureAwait(false);
        return _accounts[""] = identity.Account;
    }

    /// <summary>State and type of EC2 instances, by id (DescribeInstances, paginated).</summary>
    public async Task<IReadOnlyDictionary<string, (string State, string Type)>> DescribeInstancesAsync(
        AwsCredentials credentials, string region, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (ids.Count == 0)
            return result;
        using var ec2 = new AmazonEC2Client(Sdk(credentials), SdkConfig(new AmazonEC2Config(), AwsService.Ec2, region));
        // DescribeInstances takes up to 1,000 ids per filter value list; 200 keeps requests small.
        foreach (var chunk in ids.Chunk(200))
        {
            string? token = null;
            do
            {
                var request = new DescribeInstancesRequest { Filters = [new Filter("instance-id", [.. chunk])], NextToken = token, MaxResults = 1000 };
                var page = await client.WithRetriesAsync(AwsApi.DescribeInstances, () => Sdk(AwsApi.DescribeInstances, () => ec2.DescribeInstancesAsync(request, cancellationToken)), cancellationToken).ConfigureAwait(false);
                foreach (var instance in (page.Reservations ?? []).SelectMany(r => r.Instances ?? []))
                    result[instance.InstanceId] = (instance.State?.Name?.Value ?? "unknown", instance.InstanceType?.Value ?? "");
                token = page.NextToken;
            }
            while (!string.IsNullOrEmpty(token));
        }
        return result;
    }

    /// <summary>Size (GiB), type, state and creation time of EBS volumes, by id (DescribeVolumes, paginated).</summary>
    public async Task<IReadOnlyDictionary<string, (int? SizeGib, string Type, string State, DateTime? Created)>> DescribeVolumesAsync(
        AwsCredentials credentials, string region, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (int?, string, string, DateTime?)>(StringComparer.Ordinal);
        if (ids.Count == 0)
            return result;
        using var ec2 = new AmazonEC2Client(Sdk(credentials), SdkConfig(new AmazonEC2Config(), AwsService.Ec2, region));
        // As DescribeInstances: ids in chunks of 200 keep requests small.
        foreach (var chunk in ids.Chunk(200))
        {
            string? token = null;
            // Bounded like the other describe calls (see ResourceApis.MaxPages).
            for (var page = 0; page < 1_000; page++)
            {
                var request = new DescribeVolumesRequest { Filters = [new Filter("volume-id", [.. chunk])], NextToken = token, MaxResults = 500 };
                var answer = await client.WithRetriesAsync(AwsApi.DescribeVolumes, () => Sdk(AwsApi.DescribeVolumes, () => ec2.DescribeVolumesAsync(request, cancellationToken)), cancellationToken).ConfigureAwait(false);
                foreach (var v in answer.Volumes ?? [])
                    result[v.VolumeId] = (v.Size, v.VolumeType?.Value ?? "", v.State?.Value ?? "", v.CreateTime);
                token = answer.NextToken;
                if (string.IsNullOrEmpty(token))
                    break;
            }
        }
        return result;
    }

    private static BasicAWSCredentials Basic(AwsCredentials c) => new(c.AccessKeyId, c.SecretAccessKey);

    private static AWSCredentials Sdk(AwsCredentials c) => c.SessionToken is { } token ? new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, token) : Basic(c);

    private T SdkConfig<T>(T config, AwsService service, string region) where T : ClientConfig
    {
        if (endpoints.IsCustom(service))
        {
            config.ServiceURL = endpoints.For(service, region).ToString();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        // Headroom retries (and counts) itself; the SDK's own retries would hide throttling from the self-metrics.
        config.MaxErrorRetry = 0;
        return config;
    }

    /// <summary>Turns the SDK's exceptions into <see cref="AwsApiException"/> so retries and messages work alike.</summary>
    private static async Task<T> Sdk<T>(AwsApi api, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            throw new AwsApiException(api.Name, e.StatusCode == 0 ? null : e.StatusCode, e.ErrorCode ?? e.StatusCode.ToString(), e.Message, e);
        }
        catch (AmazonClientException e)
        {
            throw new AwsApiException(api.Name, null, "ClientError", e.Message, e);
        }
        catch (HttpRequestException e)
        {
            throw new AwsApiException(api.Name, null, "NetworkError", e.Message, e);
        }
    }
}
