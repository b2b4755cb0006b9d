using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Headroom.Prometheus.Aws;

/// <summary>
/// AWS Signature Version 4 (header form) for the AWS APIs Headroom speaks: CloudWatch's JSON and query protocols and
/// remote write to Amazon Managed Prometheus (service <c>aps</c>), all over plain HTTP; checked against AWS's published test-suite vectors.
/// </summary>
public static class SigV4Signer
{
    /// <summary>SHA-256 of an empty payload, hex encoded.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// Adds <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> (for temporary credentials) and <c>Authorization</c> to
    /// <paramref name="request"/>. Signs the host, every request header and the content type.
    /// </summary>
    public static void Sign(HttpRequestMessage request, ReadOnlySpan<byte> payload, AwsCredentials credentials, string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var uri = request.RequestUri ?? throw new ArgumentException("the request has no URI", nameof(request));
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (credentials.SessionToken is { } token)
        {
            request.Headers.Remove("X-Amz-Security-Token");
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }

        var headers = new List<KeyValuePair<string, string>> { new("Host", uri.IsDefaultPort ? uri.Host : uri.Authority) };
        foreach (var h in request.Headers)
        {
            if (!h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && !h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase))
                headers.Add(new(h.Key, string.Join(',', h.Value)));
        }
        if (request.Content is { } content)
        {
            foreach (var h in content.Headers)
            {
                if (!h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    headers.Add(new(h.Key, string.Join(',', h.Value)));
            }
        }

        var signature = Compute(new SigningInput(request.Method.Method, uri, headers, HexSha256(payload), region, service, now), credentials);
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
    }

    /// <summary>Every intermediate product of signing, as AWS's test suite lists them.</summary>
    public static SigningResult Compute(SigningInput input, AwsCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(credentials);
        var amzDate = input.Time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var day = amzDate[..8];
        var scope = $"{day}/{input.Region}/{input.Service}/aws4_request";

        var canonicalHeaders = input.Headers
            .GroupBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(',', g.Select(h => TrimHeaderValue(h.Value)))))
            .ToList();
        var signedHeaders = string.Join(';', canonicalHeaders.Select(h => h.Name));

        var canonical = new StringBuilder()
            .Append(input.Method).Append('\n')
            .Append(CanonicalPath(input.Uri)).Append('\n')
            .Append(CanonicalQuery(input.Uri)).Append('\n');
        foreach (var (name, value) in canonicalHeaders)
            canonical.Append(name).Append(':').Append(value).Append('\n');
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(input.PayloadHash);
        var canonicalRequest = canonical.ToString();

        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{HexSha256(Encoding.UTF8.GetBytes(canonicalRequest))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), day);
        key = Hmac(key, input.Region);
        key = Hmac(key, input.Service);
        key = Hmac(key, "aws4_request");
        var signature = Convert.ToHexStringLower(Hmac(key, stringToSign));
        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigningResult(canonicalRequest, stringToSign, signature, authorization);
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="payload"/>.</summary>
    public static string HexSha256(ReadOnlySpan<byte> payload) => Convert.ToHexStringLower(SHA256.HashData(payload));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    /// <summary>Trims the value and collapses runs of spaces to one, as SigV4 requires (quoted values included).</summary>
    private static string TrimHeaderValue(string value)
    {
        var builder = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value.Trim())
        {
            if (c == ' ')
            {
                if (!space)
                    builder.Append(c);
                space = true;
            }
            else
            {
                builder.Append(c);
                space = false;
            }
        }
        return builder.ToString();
    }

    private static string CanonicalPath(Uri uri)
    {
        var path = uri.AbsolutePath;
        if (path.Length == 0)
            return "/";
        // Each segment is decoded and encoded again so that the result does not depend on how the caller escaped it.
        return string.Join('/', path.Split('/').Select(s => Encode(Uri.UnescapeDataString(s))));
    }

    private static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
            return "";
        return string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? pair : pair[..equals];
                var value = equals < 0 ? "" : pair[(equals + 1)..];
                return (Name: Encode(Uri.UnescapeDataString(name.Replace('+', ' '))), Value: Encode(Uri.UnescapeDataString(value.Replace('+', ' '))));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>RFC 3986 percent-encoding as SigV4 and S3 keys use it: everything but unreserved characters, upper-case hex.</summary>
    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
                builder.Append(c);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}

/// <summary>What SigV4 signs: method, URI (path and query), headers (the host among them), payload hash, scope and time.</summary>
public sealed record SigningInput(
    string Method, Uri Uri, IReadOnlyList<KeyValuePair<string, string>> Headers, string PayloadHash, string Region, string Service, DateTimeOffset Time);

/// <summary>The canonical request, the string to sign, the signature and the resulting <c>Authorization</c> header.</summary>
public sealed record SigningResult(string CanonicalRequest, string StringToSign, string Signature, string Authorization);
