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
            request.Http.Response.Headers.Append("Warning", "199 headroom \"" + warning.Replace('"', '\'') + "\"");
        }
        request.Http.Response.ContentType = ExpositionWriter.TextContentType;
        await request.Http.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), request.Aborted).ConfigureAwait(false);
    }
}
