using Headroom.Gateway.Federation;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Pushdown;

/// <summary>
/// The gateway's pushdown, as the engine's planning hook for one query: each aggregation
/// <see cref="PushdownRules"/> allows is sent to every shard that could hold its series, and the gateway finishes it
/// over the shards' answers: sum of sums, sum of counts, min of mins, max of maxes, group of groups, topk of topks (k
/// per shard, then k overall), and avg as the sum of sums over the sum of counts. Only sound when every series
/// lives on one shard (the configuration says so with <c>pushdown: true</c>): a series on two shards during a
/// reshard would be counted twice.
/// </summary>
internal sealed class PushdownRewriter : IQueryRewriter
{
    private readonly FederatedSource _federation;
    private readonly IReadOnlyList<LabelMatcher> _enforced;
    private readonly HashSet<string> _replicaLabels;
    private readonly GatewayMetrics _metrics;
    private readonly long _lookbackMs;
    private readonly WindowLeftEdge _leftEdge;
    private readonly List<string> _pushed = [];

    /// <param name="federation">The shards, under the request's partial-response policy.</param>
    /// <param name="enforced">The tenant's matchers, added to every pushed selector; empty without tenancy.</param>
    /// <param name="replicaLabels">Labels that tell replicas apart.</param>
    /// <param name="metrics">Counts pushed aggregations.</param>
    /// <param name="options">
    /// The engine's options: its lookback delta, for the time range a pushed plain selector reads, and its window
    /// edges, which an in-process replica's engine follows too.
    /// </param>
    public PushdownRewriter(FederatedSource federation, IReadOnlyList<LabelMatcher> enforced, IReadOnlyList<string> replicaLabels,
        GatewayMetrics metrics, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _federation = federation;
        _enforced = enforced;
        _replicaLabels = [.. replicaLabels];
        _metrics = metrics;
        _leftEdge = options.LeftEdge;
        // A window whose left edge counts reaches one millisecond further back.
        _lookbackMs = (long)options.LookbackDelta.TotalMilliseconds + (options.LeftEdge == WindowLeftEdge.Included ? 1 : 0);
    }

    /// <summary>The aggregations pushed to the shards, as sent (before each shard's external labels are taken out).</summary>
    public IReadOnlyList<string> Pushed => _pushed;

    /// <summary>Whether the shards of <paramref name="federation"/> can answer pushed queries (in-process test sources may not).</summary>
    public static bool CanPush(FederatedSource federation) => federation.Shards.All(s => s is ShardSource);

    /// <inheritdoc />
    public Expr Rewrite(Expr expr, QuerySteps steps) => Replace(expr);

    private Expr Replace(Expr e) => e switch
    {
        AggregateExpr a when PushdownRules.Pushable(a, _replicaLabels, out _) is { } selector => Push(a, selector),
        // The parameter (k, φ, a label) is left alone: it is evaluated once per step and cheap.
        AggregateExpr a => a with { Inner = Replace(a.Inner) },
        ParenExpr p => p with { Inner = Replace(p.Inner) },
        UnaryExpr u => u with { Operand = Replace(u.Operand) },
        BinaryExpr b => b with { Left = Replace(b.Left), Right = Replace(b.Right) },
        // histogram_quantile(0.9, sum by (le) (rate(x[5m]))) pushes its inner sum: that sum is exact, the quantile
        // is computed here over it.
        Call c => c with { Arguments = new ValueArray<Expr>(c.Arguments.Select(Replace)) },
        // Not into subqueries: the shard would be asked for the subquery's steps, up to Prometheus' 11,000 points
        // a query_range may have, over a window the query's own step does not bound.
        _ => e,
    };

    private Expr Push(AggregateExpr a, VectorSelector selector)
    {
        if (a.Operator == AggregationOperator.Avg)
        {
            // avg = (sum of the shards' sums) / (sum of the shards' counts), group by group.
            var sum = Finish(a with { Operator = AggregationOperator.Sum }, selector, AggregationOperator.Sum);
            var count = Finish(a with { Operator = AggregationOperator.Count }, selector, AggregationOperator.Sum);
            var oneToOne = new VectorMatching(VectorMatchCardinality.OneToOne, ValueArray<string>.Empty, false, ValueArray<string>.Empty);
            return new ParenExpr(new BinaryExpr(BinaryOperator.Divide, sum, count, oneToOne));
        }
        var finish = a.Operator == AggregationOperator.Count ? AggregationOperator.Sum : a.Operator;
        return Finish(a, selector, finish);
    }

    /// <summary>The gateway's <paramref name="finish"/> over the shards' answers to <paramref name="shardPart"/>, with the same grouping.</summary>
    private AggregateExpr Finish(AggregateExpr shardPart, VectorSelector selector, AggregationOperator finish)
    {
        var pushed = new PushedAggregation(shardPart, selector, _enforced);
        lock (_pushed)
        {
            _pushed.Add(pushed.Text);
        }
        var remote = new RemoteResultExpr(pushed.Aggregate, (request, token) => EvaluateAsync(pushed, request, token));
        return shardPart with { Operator = finish, Inner = remote };
    }

    private async Task<IReadOnlyList<PromQL.Series>> EvaluateAsync(PushedAggregation pushed, RemoteRequest request, CancellationToken cancellationToken)
    {
        _metrics.Pushdown();
        var (minT, maxT) = pushed.Window(request.Start, request.End, _lookbackMs);
        // Shards are chosen and their failures handled as for any selection: a shard whose external labels rule the
        // selector out is not asked; one with no replica answering is left out with a warning or fails the query.
        IReadOnlyList<LabelMatcher> matchers = [.. pushed.Selector.Matchers];
        // Each shard learns when the others it was asked with answer, to tell a hung replica from a slow query
        // (PushAsync, PushRound).
        var answers = await _federation.AskAsync(matchers, minT, maxT, request.Warnings,
            static shards => new PushRound(shards),
            (shard, round, token) => ((ShardSource)shard).PushAsync(pushed, request.Start, request.End, request.Step, _leftEdge, request.Warnings, round, token),
            cancellationToken).ConfigureAwait(false);
        return [.. answers.SelectMany(a => a)];
    }
}
