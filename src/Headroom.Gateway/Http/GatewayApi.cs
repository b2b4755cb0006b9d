using System.Diagnostics;
using System.Text.Json;
using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.Prometheus.RemoteRead;
using Headroom.Prometheus.ServerApi;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Headroom.Gateway.Http;

/// <summary>
/// The Prometheus HTTP API over the current <see cref="Gateway"/>. Every handler reads data only through the
/// request's source (<see cref="Gateway.SourceFor"/>), so tenancy and partial-response policy hold on every
/// endpoint; every failure becomes Prometheus' error JSON with a 4xx or 5xx status, never a crash.
/// </summary>
internal sealed partial class GatewayApi(Func<Gateway> current, TimeProvider time)
{
    private readonly Lock _gateLock = new();
    private QueryGate? _gate;
    private QueryLimits? _gateLimits;

    /// <summary>Runs <paramref name="handler"/> with the request's source, timing it and turning exceptions into API errors.</summary>
    /// <param name="partial">
    /// The partial-response policy when the request does not name one; null for the configuration's. An answer that
    /// cannot carry a warning (remote read) passes <see cref="PartialResponse.Fail"/>: a shard left out there would be
    /// left out silently. Such an answer names the shards it leaves out in <see cref="UnavailableShardsHeader"/> when a
    /// reader asks for it in part, and a shard left out after it started cuts it (<see cref="LeftOutShards"/>).
    /// </param>
    /// <remarks>
    /// Every 503 for a shard with no replica answering names the shard in <see cref="UnavailableShardsHeader"/>, so a
    /// gateway above this one can ask again for the other shards instead of losing all of this one's.
    /// </remarks>
    public async Task HandleAsync(HttpContext context, string endpoint, Func<RequestContext, Task> handler, PartialResponse? partial = null)
    {
        var started = Stopwatch.GetTimestamp();
        var gateway = current();
        var hungUp = false;
        var cannotWarn = partial is not null;
        var leftOut = new LeftOutShards { Capped = cannotWarn };
        // Set only by a shard with no replica answering: a timeout or a bad request is not that, even if the answer
        // had left shards out before it failed, and a gateway above must not take it for one.
        var shardUnavailable = false;
        // Set when the 503's shards are more than the header can name: it then names none.
        var tooMany = false;
        context.Response.OnStarting(() =>
        {
            var names = cannotWarn ? leftOut.Close() : leftOut.Names;
            // Too many to name on a 503: none, so a gateway above leaves this one out whole (a capped answer never has too many).
            if (!tooMany && LeftOutShards.Header(names) is { } header
                && (shardUnavailable || cannotWarn && context.Response.StatusCode < StatusCodes.Status300MultipleChoices))
            {
                context.Response.Headers[UnavailableShardsHeader.Name] = header;
            }
            return Task.CompletedTask;
        });
        try
        {
            var parameters = await RequestParameters.ReadAsync(context.Request).ConfigureAwait(false);
            var tenancy = gateway.Config.Tenancy;
            var (source, tenant, refusal) = gateway.SourceFor(
                tenancy is null ? null : OneHeader(context.Request.Headers, tenancy.Header),
                tenancy is null ? null : OneHeader(context.Request.Headers, HeaderNames.Authorization),
                parameters.Partial(partial ?? gateway.Config.PartialResponse), leftOut);
            if (source is null)
            {
                throw new ApiError(ErrorType.Unauthorized, refusal!);
            }
            await handler(new RequestContext(context, gateway, parameters, source, tenant, leftOut)).ConfigureAwait(false);
        }
        catch (ApiError e)
        {
            await ApiError.WriteAsync(context, e.Type, e.Message).ConfigureAwait(false);
        }
        catch (ParseException e)
        {
            await ApiError.WriteAsync(context, ErrorType.BadData, e.Message).ConfigureAwait(false);
        }
        catch (QueryException e) when (e.Message.Contains("timed out", StringComparison.Ordinal))
        {
            await ApiError.WriteAsync(context, ErrorType.Timeout, e.Message).ConfigureAwait(false);
        }
        catch (QueryException e)
        {
            await ApiError.WriteAsync(context, ErrorType.Execution, e.Message).ConfigureAwait(false);
        }
        catch (ShardUnavailableException e)
        {
            shardUnavailable = true;
            tooMany = !leftOut.TryAdd(e.Unavailable);
            await ApiError.WriteAsync(context, ErrorType.Unavailable, e.Message).ConfigureAwait(false);
        }
        catch (RemoteReadException e)
        {
            await ApiError.WriteAsync(context, ErrorType.Unavailable, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client hung up: the query was cancelled on every backend; nobody is left to answer. An answer streams
            // as it is written, so the hang-up may come after its status went out: then there is nothing to set, but the
            // request is still counted as a hang-up (499), not as the 200 that went out before it.
            hungUp = true;
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = 499;
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            await ApiError.WriteAsync(context, ErrorType.Execution, e.Message).ConfigureAwait(false);
        }
        finally
        {
            gateway.Metrics.Request(endpoint, hungUp ? 499 : context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>A slot to evaluate a query in, or a 503 when the queue is full.</summary>
    private async Task<IDisposable> EnterAsync(RequestContext request)
    {
        var limits = request.Gateway.Config.Limits;
        QueryGate gate;
        // One gate per set of limits: a reload with new limits starts a new one; concurrent first requests share it.
        lock (_gateLock)
        {
            if (_gate is null || !ReferenceEquals(_gateLimits, limits))
            {
                _gate = new QueryGate(limits.MaxConcurrent, limits.MaxQueued);
                _gateLimits = limits;
            }
            gate = _gate;
        }
        var slot = await gate.EnterAsync(request.Aborted).ConfigureAwait(false);
        if (slot is null)
        {
            request.Gateway.Metrics.Rejected();
            throw new ApiError(ErrorType.Unavailable,
                $"too many queries: {limits.MaxConcurrent} running and {limits.MaxQueued} waiting; retry later or raise limits.max_concurrent_queries");
        }
        return slot;
    }

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// The one value of a header that names the tenant. Sent twice with different values it names no one tenant, and
    /// taking the first would let whichever proxy adds its line first choose the tenant: refused.
    /// </summary>
    private static string? OneHeader(IHeaderDictionary headers, string name)
    {
        var values = headers[name];
        if (values.Count > 1 && values.Distinct(StringComparer.Ordinal).Skip(1).Any())
        {
            throw new ApiError(ErrorType.Unauthorized, $"the {name} header is sent {values.Count} times with different values; send it once");
        }
        return values.FirstOrDefault();
    }

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Headroom.Prometheus.ServerApi.QueryResponseWriter.Options))
        {
            write(json);
        }
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    private static void Success(Utf8JsonWriter json, Action<Utf8JsonWriter> data, SourceWarnings warnings)
    {
        json.WriteStartObject();
        json.WriteString("status", "success");
        json.WritePropertyName("data");
        data(json);
        var messages = warnings.Messages;
        if (messages.Count > 0)
        {
            json.WriteStartArray("warnings");
            foreach (var message in messages)
            {
                json.WriteStringValue(message);
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    private static void WriteLabels(Utf8JsonWriter json, Labels labels)
    {
        json.WriteStartObject();
        foreach (var label in labels)
        {
            json.WriteString(label.Name, label.Value);
        }
        json.WriteEndObject();
    }
}

/// <summary>
/// One API request: its parameters, the source it may read, its tenant, and the shards its answer leaves out (shared by
/// every source the request reads through).
/// </summary>
internal sealed record RequestContext(HttpContext Http, Gateway Gateway, RequestParameters Parameters, ISeriesSource Source, string? Tenant,
    LeftOutShards LeftOut)
{
    public CancellationToken Aborted => Http.RequestAborted;
}
