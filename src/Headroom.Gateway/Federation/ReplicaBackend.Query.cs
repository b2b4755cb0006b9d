using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;

namespace Headroom.Gateway.Federation;

internal sealed partial class ReplicaBackend
{
    /// <summary>
    /// A pushed aggregation through <c>/api/v1/query_range</c> (POSTed as a form: the text can be long). One step
    /// (<paramref name="start"/> = <paramref name="end"/>) is an instant query. The replica's refusal of the query
    /// (HTTP 400 or 422) is the query's error; any other failure is the replica's.
    /// </summary>
    public async Task<IReadOnlyList<Series>> QueryRangeAsync(string expr, long start, long end, long step, SourceWarnings warnings,
        CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["query"] = expr,
            ["start"] = Seconds(start),
            ["end"] = Seconds(end),
            // Any step gives one point when start = end; Prometheus takes seconds with a fraction.
            ["step"] = (Math.Max(step, 1) / 1000.0).ToString("0.###", CultureInfo.InvariantCulture),
            ["partial_response"] = Partial ? "true" : "false",
        };
        HttpResponseMessage response;
        try
        {
            using var content = new FormUrlEncodedContent(form);
            response = await _http.PostAsync(new Uri(BaseUri, "api/v1/query_range"), content, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RemoteReadException($"cannot reach {Name}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RemoteReadException($"{Name} did not answer within {_http.Timeout.TotalSeconds:F0} s", e);
        }
        using (response)
        {
            QueryRangeAnswer answer;
            try
            {
                using var stream = await OpenJsonAsync(response, cancellationToken).ConfigureAwait(false);
                answer = await ReadAnswerAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new RemoteReadException($"{Name} answered a pushed query with HTTP {(int)response.StatusCode} and a body that is not JSON: {e.Message}", e);
            }
            if (!response.IsSuccessStatusCode || answer.Status != "success")
            {
                var error = answer.Error ?? response.ReasonPhrase;
                var code = (int)response.StatusCode;
                if (code is 400 or 422)
                {
                    throw new QueryException($"shard {Shard} ({Name}) refused the pushed query {expr}: {error}");
                }
                throw new RemoteReadException($"{Name} answered HTTP {code} to a pushed query: {error}", code)
                {
                    UnavailableShards = UnavailableShardsHeader.Of(response.Headers),
                };
            }
            foreach (var message in answer.Messages)
            {
                warnings.Add(Forwarded(message));
            }
            if (answer.ResultType != "matrix")
            {
                throw new RemoteReadException($"{Name} answered a range query with a {answer.ResultType}");
            }
            if (answer.HasHistograms)
            {
                // The gateway's evaluation of a pushed node carries floats only: exact, or not at all.
                throw new QueryException($"shard {Shard} answered the pushed query {expr} with native histograms, which pushdown does not carry; ask again with pushdown=false");
            }
            return answer.Series;
        }
    }

    /// <summary>Reads the whole body into a pooled buffer and the answer out of it in one pass.</summary>
    private static async Task<QueryRangeAnswer> ReadAnswerAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var grown = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
            return QueryRangeAnswer.Read(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
