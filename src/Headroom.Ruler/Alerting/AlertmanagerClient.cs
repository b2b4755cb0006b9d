using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Headroom.Prometheus.Client;
using Headroom.PromQL;

namespace Headroom.Ruler.Alerting;

/// <summary>
/// Posts alerts to one Alertmanager's v2 API (<c>POST /api/v2/alerts</c>) in the JSON it expects: labels,
/// annotations, <c>startsAt</c>, <c>endsAt</c> and <c>generatorURL</c>.
/// </summary>
internal sealed class AlertmanagerClient(HttpClient http, Uri baseUri)
{
    private readonly Uri _endpoint = new(baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/"), "api/v2/alerts");

    /// <summary>The Alertmanager as its <c>alertmanager</c> metric label shows it: scheme, host and port.</summary>
    public string Name { get; } = Credentials.Strip(baseUri).GetLeftPart(UriPartial.Authority);

    /// <summary>Sends <paramref name="alerts"/> in one request.</summary>
    /// <exception cref="HttpRequestException">The request failed or was refused; the message says how.</exception>
    public async Task SendAsync(IReadOnlyList<PostableAlert> alerts, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(Encode(alerts));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(_endpoint, content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException($"{Credentials.Strip(_endpoint)} answered HTTP {(int)response.StatusCode}: {body.Trim()}", null, response.StatusCode);
        }
    }

    /// <summary>The JSON body: an array of postable alerts.</summary>
    internal static byte[] Encode(IReadOnlyList<PostableAlert> alerts)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            foreach (var alert in alerts)
            {
                json.WriteStartObject();
                WriteMap(json, "labels", alert.Labels);
                WriteMap(json, "annotations", alert.Annotations);
                json.WriteString("startsAt", Time(alert.StartsAt));
                json.WriteString("endsAt", Time(alert.EndsAt));
                json.WriteString("generatorURL", alert.GeneratorUrl);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return stream.ToArray();
    }

    private static void WriteMap(Utf8JsonWriter json, string name, Labels labels)
    {
        json.WriteStartObject(name);
        foreach (var label in labels)
            json.WriteString(label.Name, label.Value);
        json.WriteEndObject();
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Prometheus' link from an alert to its expression: <c>/graph?g0.expr=…&amp;g0.tab=1</c> under the external URL.</summary>
    public static string GeneratorUrl(string externalUrl, string expr) =>
        new StringBuilder(externalUrl.TrimEnd('/')).Append("/graph?g0.expr=").Append(Uri.EscapeDataString(expr)).Append("&g0.tab=1").ToString();
}

/// <summary>An alert as the Alertmanager v2 API takes it.</summary>
internal sealed record PostableAlert(Labels Labels, Labels Annotations, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string GeneratorUrl);
