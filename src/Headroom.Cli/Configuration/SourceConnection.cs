using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Headroom.Prometheus.Client;

namespace Headroom.Cli.Configuration;

/// <summary>The source endpoint with its credentials and TLS settings, and the HTTP client that carries them.</summary>
internal sealed record SourceConnection(Uri Url, string? Username, string? Password, string? BearerToken, string? CaFile, bool InsecureSkipVerify, TimeSpan Timeout)
{
    /// <summary>The URL as shown in output and stored in the warehouse: never with credentials.</summary>
    public string Display => Credentials.Strip(Url).AbsoluteUri.TrimEnd('/');

    public static Uri ParseUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliException($"--source '{Redact(text)}' is not an http(s) URL; use e.g. http://127.0.0.1:9090", ExitCodes.Usage);
        return uri;
    }

    public HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (CaFile is not null || InsecureSkipVerify)
        {
            X509Certificate2Collection? roots = null;
            if (CaFile is not null)
            {
                roots = [];
                try
                {
                    roots.ImportFromPemFile(CaFile);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
                {
                    throw new CliException($"cannot read the CA file {CaFile}: {e.Message}", ExitCodes.Usage);
                }
            }
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (InsecureSkipVerify || errors == System.Net.Security.SslPolicyErrors.None)
                    return true;
                if (roots is null || certificate is null || chain is null)
                    return false;
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        var client = new HttpClient(handler) { Timeout = Timeout };
        var user = Username ?? (Url.UserInfo.Length > 0 ? Uri.UnescapeDataString(Url.UserInfo.Split(':')[0]) : null);
        var password = Password ?? (Url.UserInfo.Contains(':', StringComparison.Ordinal) ? Uri.UnescapeDataString(Url.UserInfo.Split(':', 2)[1]) : null);
        if (BearerToken is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BearerToken);
        else if (user is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    public PrometheusClient CreateClient(HttpClient http) => new(http, new Uri(Display + "/"));

    /// <summary>
    /// A connection with only what <c>query</c> and <c>ruler</c> take: the URL (user:password@ in it for basic
    /// authentication) and a bearer token from <c>--source-bearer-token-file</c> or <c>HEADROOM_SOURCE_BEARER_TOKEN</c>,
    /// which a gateway with tenancy maps to a tenant.
    /// </summary>
    public static SourceConnection ForUrl(Uri url, string? bearerTokenFile, TimeSpan timeout) =>
        new(url, null, null,
            ReadSecret(bearerTokenFile, "--source-bearer-token-file")
                ?? (Environment.GetEnvironmentVariable("HEADROOM_SOURCE_BEARER_TOKEN") is { Length: > 0 } token ? token : null),
            null, false, timeout);

    /// <summary>The trimmed text of a secret's file; null without one; a usage error naming <paramref name="name"/> when it cannot be read.</summary>
    public static string? ReadSecret(string? path, string name)
    {
        if (path is null)
            return null;
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{name}: cannot read {path}: {e.Message}", ExitCodes.Usage);
        }
    }

    private static string Redact(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0 ? text.Replace(uri.UserInfo, "***", StringComparison.Ordinal) : text;
}
