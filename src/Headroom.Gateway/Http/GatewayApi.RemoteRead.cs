using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Microsoft.AspNetCore.Http;

namespace Headroom.Gateway.Http;

internal sealed partial class GatewayApi
{
    /// <summary>
    /// <c>/api/v1/read</c>: Prometheus' remote read over the gateway's merged, deduplicated (and tenant-restricted) data,
    /// so a Prometheus or another gateway can sit above this one. Streams XOR chunks query by query when the client
    /// accepts them, else answers SAMPLES.
    /// </summary>
    public async Task RemoteReadAsync(RequestContext request)
    {
        var http = request.Http;
        RemoteReadRequest read;
        try
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, request.Aborted).ConfigureAwait(false);
            read = RemoteReadServerCodec.DecodeRequest(body.GetBuffer().AsSpan(0, (int)body.Length));
        }
        catch (RemoteReadException e)
        {
            throw new ApiError($"remote read: {e.Message}");
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            throw new ApiError($"remote read: {e.Message}");
        }
        using var slot = await EnterAsync(request).ConfigureAwait(false);
        var warnings = new SourceWarnings();
        if (read.ResponseType == RemoteReadResponseType.StreamedXorChunks)
        {
            http.Response.ContentType = RemoteReadServerCodec.StreamedContentType;
            for (var i = 0; i < read.Queries.Count; i++)
            {
                var query = read.Queries[i];
                await RemoteReadServerCodec.WriteStreamedQueryAsync(http.Response.Body, i,
                    request.Source.SelectAsync(query.Matchers, query.StartMs, query.EndMs, query.Hints ?? new SelectHints(), warnings, request.Aborted),
                    cancellationToken: request.Aborted).ConfigureAwait(false);
            }
            return;
        }
        var results = new List<IReadOnlyList<Series>>(read.Queries.Count);
        foreach (var query in read.Queries)
        {
            var list = new List<Series>();
            await foreach (var series in request.Source.SelectAsync(query.Matchers, query.StartMs, query.EndMs, query.Hints ?? new SelectHints(), warnings, request.Aborted)
                .ConfigureAwait(false))
            {
                list.Add(series);
            }
            results.Add(list);
        }
        var payload = RemoteReadServerCodec.EncodeSamplesResponse(results);
        http.Response.ContentType = RemoteReadServerCodec.SamplesContentType;
        http.Response.Headers.ContentEncoding = "snappy";
        await http.Response.Body.WriteAsync(payload, request.Aborted).ConfigureAwait(false);
    }
}
