using System.Text.Json;
using Headroom.Gateway.Federation;
using Headroom.Gateway.Pushdown;
using Headroom.Gateway.Tenancy;
using Headroom.Prometheus.ServerApi;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Http;

internal sealed partial class GatewayApi
{
    /// <summary><c>/api/v1/query</c>: an instant query at <c>time</c> (now by default).</summary>
    public async Task QueryAsync(RequestContext request)
    {
        var p = request.Parameters;
        var expr = Parser.Parse(p.Required("query"));
        var at = p.Time("time", Now);
        var (engine, pushdown) = await EngineAsync(request).ConfigureAwait(false);
        using var slot = await EnterAsync(request).ConfigureAwait(false);
        using var inFlight = request.Gateway.Metrics.InFlight();
        var result = await engine.InstantAsync(expr, at, request.Aborted).ConfigureAwait(false);
        await WriteResultAsync(request, result, pushdown).ConfigureAwait(false);
    }

    /// <summary><c>/api/v1/query_range</c>: a range query from <c>start</c> to <c>end</c> every <c>step</c>.</summary>
    public async Task QueryRangeAsync(RequestContext request)
    {
        var p = request.Parameters;
        var expr = Parser.Parse(p.Required("query"));
        var start = p.Time("start", long.MinValue);
        var end = p.Time("end", long.MinValue);
        if (start == long.MinValue || end == long.MinValue)
        {
            throw new ApiError("invalid parameter \"start\"/\"end\": a range query needs both start and end");
        }
        var step = p.Duration("step") ?? throw new ApiError("invalid parameter \"step\": missing; give a resolution such as 15s");
        if (end < start)
        {
            throw new ApiError("invalid parameter \"end\": end timestamp must not be before start time");
        }
        var stepMs = Math.Max(1, (long)step.TotalMilliseconds);
        // As Prometheus counts: 11,000 steps after start (11,001 points) are allowed.
        if ((end - start) / stepMs > RequestParameters.MaxPointsPerSeries)
        {
            throw new ApiError("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
        }
        if (expr.Type is not (ExprType.Scalar or ExprType.InstantVector))
        {
            throw new ApiError($"invalid expression type \"{expr.Type.DocumentedName()}\" for range query, must be Scalar or instant Vector");
        }
        var (engine, pushdown) = await EngineAsync(request).ConfigureAwait(false);
        using var slot = await EnterAsync(request).ConfigureAwait(false);
        using var inFlight = request.Gateway.Metrics.InFlight();
        var result = await engine.RangeAsync(expr, start, end, stepMs, request.Aborted).ConfigureAwait(false);
        await WriteResultAsync(request, result, pushdown).ConfigureAwait(false);
    }

    private static async Task<(QueryEngine Engine, PushdownRewriter? Pushdown)> EngineAsync(RequestContext request)
    {
        var limits = request.Gateway.Config.Limits;
        var timeout = request.Parameters.Duration("timeout") is { } asked && asked < limits.QueryTimeout ? asked : limits.QueryTimeout;
        var semantics = await request.Gateway.SemanticsAsync(request.Aborted).ConfigureAwait(false);
        var options = new EngineOptions { Timeout = timeout, MaxSamples = limits.MaxSamples, LeftEdge = semantics.LeftEdge };
        // The pushdown parameter is checked whether or not the shards' window edges let anything be pushed.
        var pushdown = Pushdown(request, options) is { } rewriter && semantics.Pushdown ? rewriter : null;
        return (new QueryEngine(request.Source, options, pushdown), pushdown);
    }

    /// <summary>
    /// The request's pushdown, or null: off unless the configuration declares the data partitioned by shard, and
    /// off when the request says <c>pushdown=false</c>. Pushed queries carry the tenant's matchers in their text;
    /// a source of an unknown kind gets no pushdown, so nothing can bypass the tenant's restriction.
    /// </summary>
    private static PushdownRewriter? Pushdown(RequestContext request, EngineOptions options)
    {
        var gateway = request.Gateway;
        var asked = request.Parameters.Get("pushdown") switch
        {
            null or "" or "true" or "1" => true,
            "false" or "0" => false,
            var other => throw new ApiError($"invalid parameter \"pushdown\": '{other}'; give true or false"),
        };
        if (!asked || !gateway.Config.Pushdown)
        {
            return null;
        }
        IReadOnlyList<LabelMatcher>? enforced = request.Source switch
        {
            TenantSource tenant => tenant.Enforced,
            FederatedSource => [],
            _ => null,
        };
        // The request's own record of what it leaves out, so a shard down for a pushed part and a selection alike is
        // counted once.
        var federation = gateway.Federation.With(request.Parameters.Partial(gateway.Config.PartialResponse), request.LeftOut);
        if (enforced is null || !PushdownRewriter.CanPush(federation))
        {
            return null;
        }
        return new PushdownRewriter(federation, enforced, gateway.Config.ReplicaLabels, gateway.Metrics, options);
    }

    private static async Task WriteResultAsync(RequestContext request, QueryResult result, PushdownRewriter? pushdown)
    {
        request.Http.Response.ContentType = "application/json";
        // Statistics only when asked for (as Prometheus does with stats=all), so the usual body is Prometheus' own.
        Action<Utf8JsonWriter>? stats = request.Parameters.Get("stats") is { Length: > 0 } ? json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("pushdown");
            foreach (var pushed in pushdown?.Pushed ?? [])
            {
                json.WriteStringValue(pushed);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        : null;
        await QueryResponseWriter.WriteAsync(request.Http.Response.Body, result, stats, request.Aborted).ConfigureAwait(false);
    }
}
