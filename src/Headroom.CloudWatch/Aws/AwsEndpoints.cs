namespace Headroom.CloudWatch.Aws;

/// <summary>
/// Where each service is called: an explicit URL (the <c>--endpoint-url</c> flag) wins, then the standard
/// <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c> variable, then <c>AWS_ENDPOINT_URL</c>, then AWS's regional endpoint.
/// </summary>
public sealed class AwsEndpoints(Uri? overrideUrl = null, Func<string, string?>? environment = null)
{
    private readonly Func<string, string?> _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <summary>The endpoint of <paramref name="service"/> in <paramref name="region"/>.</summary>
    public Uri For(AwsService service, string region)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (overrideUrl is not null)
            return overrideUrl;
        foreach (var name in (string[])[$"AWS_ENDPOINT_URL_{service.EnvironmentSuffix}", "AWS_ENDPOINT_URL"])
        {
            if (_environment(name) is { Length: > 0 } value)
            {
                return Uri.TryCreate(value, UriKind.Absolute, out var uri)
                    ? uri
                    : throw new ArgumentException($"{name}='{value}' is not an absolute URL; set it to e.g. http://127.0.0.1:5000");
            }
        }
        return new Uri($"https://{service.HostPrefix}.{region}.amazonaws.com/");
    }

    /// <summary>Whether any endpoint is overridden (then AWSSDK clients get it as their service URL).</summary>
    public bool IsCustom(AwsService service) => overrideUrl is not null
        || _environment($"AWS_ENDPOINT_URL_{service.EnvironmentSuffix}") is { Length: > 0 }
        || _environment("AWS_ENDPOINT_URL") is { Length: > 0 };
}
