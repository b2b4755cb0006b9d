using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

/// <summary>
/// Evaluates PromQL over an <see cref="ISeriesSource"/>. Range-first: an instant query is a range query with one
/// step. Errors in the query raise <see cref="ParseException"/> or <see cref="QueryException"/>; non-fatal
/// problems come back in <see cref="QueryResult.Annotations"/>.
/// </summary>
public sealed class QueryEngine
{
    private readonly ISeriesSource _source;
    private readonly EngineOptions _options;
    private readonly IQueryRewriter? _rewriter;

    /// <summary>Creates an engine reading from <paramref name="source"/>.</summary>
    /// <param name="source">Where selectors read their series.</param>
    /// <param name="options">Limits and settings; defaults as in Prometheus.</param>
    /// <param name="rewriter">
    /// Sees each query's tree in the planning pass and may replace subtrees by <see cref="RemoteResultExpr"/> nodes
    /// computed elsewhere (the gateway's pushdown); null to evaluate everything here.
    /// </param>
    public QueryEngine(ISeriesSource source, EngineOptions? options = null, IQueryRewriter? rewriter = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _options = options ?? new EngineOptions();
        _options.Validate();
        _rewriter = rewriter;
    }

    /// <summary>Evaluates <paramref name="query"/> at <paramref name="time"/> (milliseconds since the epoch).</summary>
    public Task<QueryResult> InstantAsync(string query, long time, CancellationToken cancellationToken = default) =>
        InstantAsync(Parser.Parse(query), time, cancellationToken);

    /// <summary>Evaluates a parsed expression at <paramref name="time"/>.</summary>
    public Task<QueryResult> InstantAsync(Expr expr, long time, CancellationToken cancellationToken = default) =>
        RunAsync(expr, time, time, 0, cancellationToken);

    /// <summary>Evaluates <paramref name="query"/> at every <paramref name="step"/> from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public Task<QueryResult> RangeAsync(string query, long start, long end, long step, CancellationToken cancellationToken = default) =>
        RangeAsync(Parser.Parse(query), start, end, step, cancellationToken);

    /// <summary>Evaluates a parsed expression over a range; the result is a matrix.</summary>
    public Task<QueryResult> RangeAsync(Expr expr, long start, long end, long step, CancellationToken cancellationToken = default)
    {
        if (step <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(step), "zero or negative query resolution step widths are not accepted");
        }
        if (end < start)
        {
            throw new ArgumentOutOfRangeException(nameof(end), "end timestamp must not be before start time");
        }
        return RunAsync(expr, start, end, step, cancellationToken);
    }

    private async Task<QueryResult> RunAsync(Expr expr, long start, long end, long step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expr);
        var isRange = step > 0;
        if (isRange && expr.Type is not (ExprType.Scalar or ExprType.InstantVector))
        {
            throw new QueryException($"invalid expression type \"{expr.Type.DocumentedName()}\" for range query, must be Scalar or instant Vector");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var plan = Unexpected(() => Planner.Plan(expr, start, end, isRange ? step : 1, isRange, _options, _rewriter));
            var context = new EvalContext(_options, timeout.Token, isRange);
            // The source's own failures (a server that answers an error, a broken connection) pass through unchanged
            // for the caller to report as such.
            await context.FetchAsync(_source, plan.Fetches, plan.Remotes).ConfigureAwait(false);
            return Unexpected(() =>
            {
                var evaluator = new Evaluator(context, plan.Start, plan.End, plan.Interval);
                var value = evaluator.Eval(plan.Root);
                return new QueryResult(ResultBuilder.Build(value, evaluator, isRange), context.Annotations);
            });
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new QueryException("query timed out in expression evaluation");
        }
    }

    /// <summary>
    /// Runs a stage of the engine; an exception it was not written to throw becomes a <see cref="QueryException"/>
    /// reading "unexpected error: …", as Prometheus' evaluator turns a runtime panic into an error for the query
    /// instead of taking the process down.
    /// </summary>
    private static T Unexpected<T>(Func<T> stage)
    {
        try
        {
            return stage();
        }
        catch (Exception e) when (e is not (QueryException or ParseException or OperationCanceledException))
        {
            throw new QueryException($"unexpected error: {e.Message}", e);
        }
    }
}
