namespace Headroom.Prometheus.Aws;

/// <summary>An access key pair, with the session token that temporary (assumed-role) credentials carry.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    /// <summary>Keeps the secret out of logs and exception messages.</summary>
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
