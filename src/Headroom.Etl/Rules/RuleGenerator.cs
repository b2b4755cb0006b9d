using Headroom.Prometheus.Client;
using Headroom.Prometheus.Rules;
using Headroom.PromQL.Syntax;

namespace Headroom.Etl.Rules;

/// <summary>Generates the recording rules a profile's dimensions name, one group per profile.</summary>
public static class RuleGenerator
{
    /// <summary>The group <c>headroom-PROFILE</c>: one rule per dimension that names a recording rule.</summary>
    /// <exception cref="ProfileException">An expression does not parse, or drops the identity labels.</exception>
    public static RuleFile Generate(Profile profile, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (interval < TimeSpan.FromSeconds(1))
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "the evaluation interval must be at least 1s");
        var rules = new List<Rule>();
        foreach (var dimension in profile.Dimensions.Where(d => d.Record is not null))
        {
            Expr expr;
            try
            {
                expr = Parser.Parse(dimension.Expr);
            }
            catch (ParseException e)
            {
                throw new ProfileException($"profile '{profile.Name}', dimension '{dimension.Name}': {e.Message}", e);
            }
            if (Unwrap(expr) is AggregateExpr { Without: false } aggregate && profile.Identity.Except(aggregate.Grouping).ToList() is { Count: > 0 } lost)
            {
                throw new ProfileException(
                    $"profile '{profile.Name}', dimension '{dimension.Name}': the expression aggregates away {string.Join(", ", lost)}; " +
                    $"group by the identity labels ({string.Join(", ", profile.Identity)}) so the recorded series keep them");
            }
            rules.Add(new Rule(dimension.Record, null, dimension.Expr));
        }
        return new RuleFile([new RuleGroup($"headroom-{profile.Name}", Durations.Format(interval), rules)]);
    }

    private static Expr Unwrap(Expr expr) => expr is ParenExpr p ? Unwrap(p.Inner) : expr;
}
