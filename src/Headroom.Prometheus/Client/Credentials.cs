namespace Headroom.Prometheus.Client;

/// <summary>What of a URL may be shown: its <c>user:password@</c> is sent to the server it names and nowhere else.</summary>
public static class Credentials
{
    /// <summary>
    /// <paramref name="url"/> without its user information, for logs, links and labels (an alert's generator URL
    /// reaches every Alertmanager and every receiver behind it).
    /// </summary>
    public static Uri Strip(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.IsAbsoluteUri && url.UserInfo.Length > 0 ? new UriBuilder(url) { UserName = "", Password = "" }.Uri : url;
    }
}
