using System.Globalization;
using System.Text;
using Headroom.Prometheus.Exposition;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Microsoft.AspNetCore.Http;

namespace Headroom.Gateway.Http;

internal sealed partial class GatewayApi
{
    private static readonly long s_lookbackMs = (long)TimeSpan.FromMinutes(5).TotalMilliseconds;

    /// <summary>
    /// <c>/federate</c>: the latest sample (within five minutes) of every series matching any <c>match[]</c>, in the
    /// text format, with its timestamp, so another Prometheus can scrape the gateway.
    /// </summary>
    public async Task FederateAsync(RequestContext request)
    {
        var selectors = request.Parameters.Matchers(required: true);
        var now = Now;
        var warnings = new SourceWarnings();
        var latest = new Dictionary<Labels, FloatPoint>();
        using var slot = await EnterAsync(request).ConfigureAwait(false);
        foreach (var matchers in selectors)
        {
            await foreach (var series in request.Source.SelectAsync(matchers, now - s_lookbackMs, now, new SelectHints(Function: "federate"), warnings, request.Aborted)
                .ConfigureAwait(false))
            {
                if (series.Points.Length > 0 && !StaleMarker.IsStale(series.Points[^1].F))
                {
                    latest[series.Labels] = series.Points[^1];
                }
            }
        }
        // Rendered whole before it is sent: Kestrel forbids synchronous writes to the body.
        using var body = new MemoryStream();
        using (var writer = new ExpositionWriter(body))
        {
            string? metric = null;
            foreach (var (labels, point) in latest.OrderBy(p => p.Key, Comparer<Labels>.Create(Labels.Compare)))
            {
                if (labels.Name != metric)
                {
                    metric = labels.Name;
                    writer.WriteType(metric, "untyped");
                }
                writer.WriteSample(labels, point.F, point.T);
            }
        }
        foreach (var warning in warnings.Messages)
        {
            request.Http.Response.Headers.Append("Warning", "199 headroom \"" + WarningText(warning) + "\"");
        }
        request.Http.Response.ContentType = ExpositionWriter.TextContentType;
        await request.Http.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), request.Aborted).ConfigureAwait(false);
    }

    /// <summary>
    /// A warning as a <c>Warning</c> header's quoted text can hold it: a header value is ASCII, and Kestrel refuses the
    /// whole response for one character outside it (a shard or label value in UTF-8), so such characters and control
    /// characters are percent-encoded as UTF-8, and a double quote becomes a single one.
    /// </summary>
    internal static string WarningText(string warning)
    {
        var text = new StringBuilder(warning.Length);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in warning.EnumerateRunes())
        {
            if (rune.Value == '"')
            {
                text.Append('\'');
            }
            else if (rune.Value is >= 0x20 and < 0x7F && rune.Value != '%')
            {
                text.Append((char)rune.Value);
            }
            else
            {
                foreach (var b in bytes[..rune.EncodeToUtf8(bytes)])
                {
                    text.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
                }
            }
        }
        return text.ToString();
    }
}
