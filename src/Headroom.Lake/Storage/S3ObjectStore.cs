using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Xml.Linq;
using Headroom.Prometheus.Aws;

namespace Headroom.Lake.Storage;

/// <summary>
/// Objects in an S3 bucket (AWS or any S3-compatible store), signed with SigV4. A single PUT replaces an object
/// atomically; a file over <see cref="S3Options.MultipartThreshold"/> goes up in parts and appears only when the
/// upload is completed (an upload that fails is aborted, leaving nothing).
/// </summary>
public sealed partial class S3ObjectStore : IObjectStore
{
    private static readonly XNamespace s_ns = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly HttpClient _http;
    private readonly S3Options _options;
    private readonly string _staging;
    private readonly string _cache;

    /// <summary>A store over <paramref name="options"/>'s bucket and prefix, sending through <paramref name="http"/>.</summary>
    public S3ObjectStore(HttpClient http, S3Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options;
        _staging = Path.Combine(Path.GetTempPath(), "headroom-lake-staging");
        _cache = options.CacheDirectory ?? Path.Combine(Path.GetTempPath(), "headroom-lake-cache", options.Bucket, options.Prefix.Replace('/', '_'));
        Directory.CreateDirectory(_staging);
    }

    public string Location => $"s3://{_options.Bucket}/{_options.Prefix}";

    private bool PathStyle => _options.Addressing switch
    {
        S3AddressingStyle.Path => true,
        S3AddressingStyle.VirtualHosted => false,
        _ => _options.Endpoint is not null,
    };

    public string NewStagingPath(string extension) => Path.Combine(_staging, Guid.NewGuid().ToString("N") + extension);

    public async Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        try
        {
            var length = new FileInfo(localPath).Length;
            if (length > _options.MultipartThreshold)
            {
                await PutMultipartAsync(key, localPath, length, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PutAsync(key, await File.ReadAllBytesAsync(localPath, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(localPath);
        }
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Put, key, null, content, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "PUT", key, cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, key, null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await EnsureAsync(response, "GET", key, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DownloadAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, key, null, null, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new FileNotFoundException($"no object {key} in {Location}");
        await EnsureAsync(response, "GET", key, cancellationToken).ConfigureAwait(false);
        var partial = localPath + ".part";
        var file = File.Create(partial);
        await using (file.ConfigureAwait(false))
            await response.Content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        File.Move(partial, localPath, overwrite: true);
    }

    public async Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Head, key, null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await EnsureAsync(response, "HEAD", key, cancellationToken).ConfigureAwait(false);
        return response.Content.Headers.ContentLength;
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        // Bounded: 100,000 pages of 1,000 keys is far past any lake; a store that never stops truncating is a bug to surface.
        for (var page = 0; page < 100_000; page++)
        {
            var query = "list-type=2&prefix=" + SigV4Signer.Encode(FullKey(prefix)) + (token is null ? "" : "&continuation-token=" + SigV4Signer.Encode(token));
            using var response = await SendAsync(HttpMethod.Get, null, query, null, cancellationToken).ConfigureAwait(false);
            await EnsureAsync(response, "LIST", prefix, cancellationToken).ConfigureAwait(false);
            var xml = XDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var root = xml.Root!;
            var ns = root.Name.Namespace;
            foreach (var content in root.Elements(ns + "Contents"))
            {
                var key = content.Element(ns + "Key")!.Value;
                yield return new StoredObject(RelativeKey(key), long.Parse(content.Element(ns + "Size")!.Value, CultureInfo.InvariantCulture));
            }
            if (root.Element(ns + "IsTruncated")?.Value != "true")
                yield break;
            token = root.Element(ns + "NextContinuationToken")?.Value;
        }
        throw new ObjectStoreException($"listing {Location}{prefix} did not end after 100,000 pages");
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, key, null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotFound)
            await EnsureAsync(response, "DELETE", key, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> LocalPathAsync(string key, string version, CancellationToken cancellationToken = default)
    {
        // The key's folders are kept: readers take Hive partition values from them.
        var slash = key.LastIndexOf('/');
        var path = Path.Combine(_cache, key[..(slash + 1)] + version[..Math.Min(16, version.Length)] + "-" + key[(slash + 1)..]);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await DownloadAsync(key, path, cancellationToken).ConfigureAwait(false);
        }
        return path;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string FullKey(string key) => _options.Prefix.Length == 0 ? key : _options.Prefix + "/" + key;

    private string RelativeKey(string full) => _options.Prefix.Length == 0 ? full : full[(_options.Prefix.Length + 1)..];

    private Uri UriOf(string? key, string? query)
    {
        var endpoint = _options.Endpoint ?? new Uri($"https://s3.{_options.Region}.amazonaws.com");
        var path = key is null ? "" : string.Join('/', FullKey(key).Split('/').Select(SigV4Signer.Encode));
        var builder = new UriBuilder(endpoint) { Query = query ?? "" };
        if (PathStyle)
        {
            builder.Path = endpoint.AbsolutePath.TrimEnd('/') + "/" + _options.Bucket + (key is null ? "" : "/" + path);
        }
        else
        {
            builder.Host = _options.Bucket + "." + endpoint.Host;
            builder.Path = "/" + path;
        }
        return builder.Uri;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string? key, string? query, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, UriOf(key, query));
        var payload = body ?? ReadOnlyMemory<byte>.Empty;
        if (body is not null)
            request.Content = new ReadOnlyMemoryContent(payload);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", SigV4Signer.HexSha256(payload.Span));
        SigV4Signer.Sign(request, payload.Span, _options.Credentials(), _options.Region, "s3", _options.TimeProvider.GetUtcNow());
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ObjectStoreException($"cannot reach {Location} at {request.RequestUri!.GetLeftPart(UriPartial.Authority)}: {e.Message}; check --endpoint-url / AWS_ENDPOINT_URL and the network", e);
        }
    }

    private async Task EnsureAsync(HttpResponseMessage response, string operation, string key, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var text = response.RequestMessage?.Method == HttpMethod.Head ? "" : await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string code = response.StatusCode.ToString(), message = text;
        try
        {
            var error = XDocument.Parse(text).Root;
            code = error?.Element("Code")?.Value ?? error?.Element(s_ns + "Code")?.Value ?? code;
            message = error?.Element("Message")?.Value ?? error?.Element(s_ns + "Message")?.Value ?? text;
        }
        catch (System.Xml.XmlException)
        {
            // Not an S3 error document (a proxy's page): the raw text is the message.
        }
        var advice = code switch
        {
            "NoSuchBucket" => $"create the bucket {_options.Bucket} or fix the URL",
            "AccessDenied" or "Forbidden" => "the credentials or the bucket policy do not allow it; check AWS_PROFILE / AWS_ACCESS_KEY_ID and the policy",
            "SignatureDoesNotMatch" or "InvalidAccessKeyId" => "check the credentials and the region (AWS_REGION)",
            _ => "check the bucket and its settings",
        };
        throw new ObjectStoreException($"{operation} {FullKey(key)} in bucket {_options.Bucket} failed: {(int)response.StatusCode} {code}: {message.Trim()} ({advice})");
    }

    private static string Md5Hex(ReadOnlySpan<byte> data)
    {
#pragma warning disable CA5351 // S3's ETag of a single-part object is the MD5 of its content: compared, not trusted for security.
        return Convert.ToHexStringLower(MD5.HashData(data));
#pragma warning restore CA5351
    }
}
