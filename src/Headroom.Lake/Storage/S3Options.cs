using Headroom.Prometheus.Aws;

namespace Headroom.Lake.Storage;

/// <summary>How bucket names go into S3 URLs.</summary>
public enum S3AddressingStyle
{
    /// <summary>Path style with an explicit endpoint (MinIO, moto, most S3-compatible stores), virtual-hosted on AWS.</summary>
    Auto,

    /// <summary><c>https://endpoint/bucket/key</c>.</summary>
    Path,

    /// <summary><c>https://bucket.endpoint/key</c>, AWS's default.</summary>
    VirtualHosted,
}

/// <summary>Where and how to reach an S3 bucket.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Prefix">The key prefix of the store inside the bucket, without leading or trailing '/' (may be empty).</param>
/// <param name="Region">The signing region, e.g. <c>us-east-1</c>.</param>
/// <param name="Credentials">Asked before each request, so rotated temporary credentials are used.</param>
public sealed record S3Options(string Bucket, string Prefix, string Region, Func<AwsCredentials> Credentials)
{
    /// <summary>The endpoint (<c>AWS_ENDPOINT_URL</c>, <c>--endpoint-url</c>); null for AWS's <c>https://s3.REGION.amazonaws.com</c>.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Path or virtual-hosted URLs. Default <see cref="S3AddressingStyle.Auto"/>.</summary>
    public S3AddressingStyle Addressing { get; init; } = S3AddressingStyle.Auto;

    /// <summary>Files larger than this are uploaded in parts. Default 16 MiB.</summary>
    public long MultipartThreshold { get; init; } = 16L << 20;

    /// <summary>The size of each part but the last; S3 requires at least 5 MiB. Default 8 MiB.</summary>
    public int PartSize { get; init; } = 8 << 20;

    /// <summary>Where downloaded objects are cached for readers that need files. Default a folder under the temp directory.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The clock of the signatures. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Parses <c>s3://bucket/prefix</c> into bucket and prefix.</summary>
    /// <exception cref="ArgumentException">The URL is not <c>s3://bucket[/prefix]</c>.</exception>
    public static (string Bucket, string Prefix) ParseUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.StartsWith("s3://", StringComparison.Ordinal) || url.Length == 5)
            throw new ArgumentException($"'{url}' is not an S3 URL; use s3://BUCKET/PREFIX");
        var rest = url[5..].Trim('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        if (bucket.Length is < 3 or > 63 || !bucket.All(static c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
            throw new ArgumentException($"'{bucket}' in '{url}' is not a bucket name (3 to 63 lower-case letters, digits, '-' and '.')");
        return (bucket, slash < 0 ? "" : rest[(slash + 1)..]);
    }
}
