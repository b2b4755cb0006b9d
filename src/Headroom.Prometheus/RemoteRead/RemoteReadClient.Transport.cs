using System.Net.Http.Headers;
using Headroom.PromQL;
using Snappier;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>Sending the request, turning transport failures into <see cref="RemoteReadException"/>, reading SAMPLES answers.</summary>
public sealed partial class RemoteReadClient
{
    private async Task<HttpResponseMessage> SendAsync(IReadOnlyList<RemoteReadQuery> queries, CancellationToken token, CancellationToken caller)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, AllowPartialResponse ? new Uri(_endpoint + "?partial_response=true") : _endpoint);
        request.Content = new ByteArrayContent(Snappy.CompressToArray(RemoteReadCodec.EncodeRequest(queries, _accepted)));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ProtobufType);
        request.Content.Headers.ContentEncoding.Add("snappy");
        request.Headers.Add("X-Prometheus-Remote-Read-Version", "0.1.0");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(StreamedType));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ProtobufType));
        var response = await Guard(() => _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token), caller).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            var body = await Guard(() => response.Content.ReadAsByteArrayAsync(token), caller).ConfigureAwait(false);
            var text = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 1000)).Trim();
            var advice = response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden
                ? "; check the credentials"
                : "";
            var unavailable = UnavailableShardsHeader.Of(response.Headers);
            var shards = unavailable.Count == 0 ? ""
                : $" (a gateway with no replica answering for its shard{(unavailable.Count == 1 ? "" : "s")} {string.Join(", ", unavailable)})";
            throw new RemoteReadException(
                $"remote read from {_endpoint} failed with HTTP {(int)response.StatusCode}{shards}: {(text.Length > 0 ? text : response.ReasonPhrase)}{advice}",
                (int)response.StatusCode)
            {
                UnavailableShards = unavailable,
            };
        }
    }

    /// <summary>Runs a network step, turning transport failures and the timeout into <see cref="RemoteReadException"/>.</summary>
    private async Task<T> Guard<T>(Func<Task<T>> step, CancellationToken caller)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RemoteReadException($"cannot reach {_endpoint}: {e.Message}; check the URL and that the server is running", e);
        }
        catch (IOException e)
        {
            throw new RemoteReadException($"the connection to {_endpoint} broke while reading the answer: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!caller.IsCancellationRequested)
        {
            throw new RemoteReadException($"{_endpoint} did not answer within {_http.Timeout.TotalSeconds:F0} s", e);
        }
    }

    private List<List<Series>> DecodeSamples(byte[] body, int queries)
    {
        byte[] payload;
        try
        {
            payload = Snappy.DecompressToArray(body);
        }
        catch (Exception e) when (e is InvalidDataException or OverflowException or ArgumentException or IndexOutOfRangeException)
        {
            // Snappier reports a garbage length header as an overflow and some corrupt blocks as bad arguments.
            throw new RemoteReadException($"remote read from {_endpoint} answered a body that is not snappy-compressed: {e.Message}", e);
        }
        List<List<Series>> results;
        try
        {
            results = RemoteReadCodec.DecodeResponse(payload);
        }
        catch (InvalidDataException e)
        {
            throw new RemoteReadException($"remote read from {_endpoint} answered a payload that is not a ReadResponse: {e.Message}", e);
        }
        if (results.Count != queries)
        {
            throw new RemoteReadException($"remote read from {_endpoint} answered {results.Count} results for {queries} queries");
        }
        return results;
    }
}
