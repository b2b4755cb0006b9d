using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Tests;

/// <summary>
/// The planning hook: a rewriter replaces every aggregation by a <see cref="RemoteResultExpr"/> that a second engine
/// evaluates over the same data, as a shard would; the answers must equal evaluating the query directly, at the
/// query's own steps and at a subquery's.
/// </summary>
public class QueryRewriterTests
{
    private static readonly InMemoryStorage s_data = Data();

    private static InMemoryStorage Data()
    {
        var data = new InMemoryStorage();
        for (var i = 0; i < 5; i++)
        {
            var labels = Labels.Of("__name__", "requests_total", "job", i % 2 == 0 ? "api" : "web", "instance", $"i{i}");
            for (long t = 0; t <= 3_600_000; t += 15_000)
            {
                data.Append(labels, t, (i + 1) * t / 1000.0);
            }
        }
        return data;
    }

    /// <summary>Pushes every aggregation not inside another one to a second engine over the same data, as text.</summary>
    private sealed class PushEveryAggregation : IQueryRewriter
    {
        public List<(string Text, RemoteRequest Request)> Requests { get; } = [];

        public QuerySteps? Seen { get; private set; }

        public Expr Rewrite(Expr expr, QuerySteps steps)
        {
            Seen = steps;
            return Replace(expr);
        }

        private Expr Replace(Expr e) => e switch
        {
            AggregateExpr a => new RemoteResultExpr(a, (request, token) => EvaluateAsync(a.ToString(), request, token)),
            ParenExpr p => p with { Inner = Replace(p.Inner) },
            BinaryExpr b => b with { Left = Replace(b.Left), Right = Replace(b.Right) },
            Call c => c with { Arguments = new ValueArray<Expr>(c.Arguments.Select(Replace)) },
            SubqueryExpr sq => sq with { Inner = Replace(sq.Inner) },
            _ => e,
        };

        private async Task<IReadOnlyList<Series>> EvaluateAsync(string text, RemoteRequest request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add((text, request));
            }
            var result = await new QueryEngine(s_data).RangeAsync(text, request.Start, request.End, request.Step, cancellationToken);
            return ((MatrixResult)result.Value).Series;
        }
    }

    [Theory]
    [InlineData("sum by (job) (rate(requests_total[5m]))", "sum by (job) (rate(requests_total[5m]))")]
    [InlineData("max(requests_total)", "max(requests_total)")]
    [InlineData("max_over_time(sum(rate(requests_total[5m]))[10m:1m])", "sum(rate(requests_total[5m]))")]
    [InlineData("max_over_time(sum(rate(requests_total[5m]))[10m:1m] offset 3m)", "sum(rate(requests_total[5m]))")]
    public async Task A_remote_subtree_gives_the_answer_of_evaluating_it_here(string query, string pushed)
    {
        foreach (var (start, end, step) in new[] { (1_800_000L, 1_800_000L, 0L), (1_200_000L, 3_600_000L, 60_000L), (1_234_000L, 3_599_000L, 45_000L) })
        {
            var rewriter = new PushEveryAggregation();
            var direct = new QueryEngine(s_data);
            var rewritten = new QueryEngine(s_data, rewriter: rewriter);
            var expected = step == 0 ? await direct.InstantAsync(query, start) : await direct.RangeAsync(query, start, end, step);
            var actual = step == 0 ? await rewritten.InstantAsync(query, start) : await rewritten.RangeAsync(query, start, end, step);

            Assert.Equal(new QuerySteps(start, end, step), rewriter.Seen);
            Assert.Equal(pushed, Assert.Single(rewriter.Requests).Text);
            Assert.Equal(Flatten(expected.Value), Flatten(actual.Value));
        }
    }

    [Fact]
    public void A_remote_node_prints_as_the_expression_it_stands_for()
    {
        var original = Parser.Parse("sum by (job) (rate(x{a=\"b\"}[5m] offset 1m))");
        var node = new RemoteResultExpr(original, (_, _) => Task.FromResult<IReadOnlyList<Series>>([]));
        var wrapped = new AggregateExpr(AggregationOperator.Sum, node, null, new ValueArray<string>(["job"]), false);

        Assert.Equal(original.ToString(), node.ToString());
        Assert.Equal("sum by (job) (sum by (job) (rate(x{a=\"b\"}[5m] offset 1m)))", wrapped.ToString());
        Assert.Throws<ArgumentException>(() => new RemoteResultExpr(Parser.Parse("x[5m]"), (_, _) => Task.FromResult<IReadOnlyList<Series>>([])));
    }

    [Fact]
    public async Task Warnings_of_a_remote_evaluation_reach_the_answer()
    {
        var rewriter = new WarningRewriter();
        var result = await new QueryEngine(s_data, rewriter: rewriter).InstantAsync("sum(requests_total)", 1_800_000);

        Assert.Contains("shard-9 left out", result.Annotations.Warnings);
        var sample = Assert.Single(((VectorResult)result.Value).Samples);
        Assert.Equal(42, sample.F);
    }

    private sealed class WarningRewriter : IQueryRewriter
    {
        public Expr Rewrite(Expr expr, QuerySteps steps) => new RemoteResultExpr(expr, (request, _) =>
        {
            request.Warnings.Add("shard-9 left out");
            return Task.FromResult<IReadOnlyList<Series>>([new Series(Labels.Empty, [new FloatPoint(request.Start, 42)])]);
        });
    }

    private static List<string> Flatten(QueryValue value) => value switch
    {
        VectorResult v => [.. v.Samples.Select(s => $"{s.Labels} {s.T} {s.F:R}").Order(StringComparer.Ordinal)],
        MatrixResult m => [.. m.Series.SelectMany(s => s.Points.Select(p => $"{s.Labels} {p.T} {p.F:R}")).Order(StringComparer.Ordinal)],
        _ => [value.ToString()!],
    };
}
