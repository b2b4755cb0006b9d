using System.Collections.Frozen;

namespace Headroom.PromQL.Syntax;

/// <summary>
/// Every PromQL function of Prometheus 3 with its signature. The engine keeps the implementations in a
/// separate table; a test checks both list the same names.
/// </summary>
public static class FunctionSignatures
{
    private const ExprType S = ExprType.Scalar;
    private const ExprType V = ExprType.InstantVector;
    private const ExprType M = ExprType.RangeVector;
    private const ExprType Str = ExprType.String;

    /// <summary>All functions by name.</summary>
    public static FrozenDictionary<string, FunctionSignature> All { get; } = Build();

    /// <summary>Looks a function up by its (case-sensitive) name.</summary>
    public static bool TryGet(string name, out FunctionSignature signature) =>
        All.TryGetValue(name, out signature!);

    private static FrozenDictionary<string, FunctionSignature> Build()
    {
        var list = new List<FunctionSignature>();
        void Add(string name, ExprType ret, params ExprType[] args) => list.Add(new(name, ValueArray<ExprType>.Wrap(args), 0, ret));
        void Var(string name, int variadic, ExprType ret, params ExprType[] args) => list.Add(new(name, ValueArray<ExprType>.Wrap(args), variadic, ret));
        void Exp(string name, int variadic, ExprType ret, params ExprType[] args) => list.Add(new(name, ValueArray<ExprType>.Wrap(args), variadic, ret, Experimental: true));

        foreach (var name in (string[])["abs", "absent", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos",
            "cosh", "deg", "exp", "floor", "histogram_avg", "histogram_count", "histogram_sum", "histogram_stddev",
            "histogram_stdvar", "ln", "log10", "log2", "rad", "sgn", "sin", "sinh", "sort", "sort_desc", "sqrt", "tan",
            "tanh", "timestamp"])
        {
            Add(name, V, V);
        }
        foreach (var name in (string[])["absent_over_time", "avg_over_time", "changes", "count_over_time", "delta", "deriv",
            "idelta", "increase", "irate", "last_over_time", "max_over_time", "min_over_time", "present_over_time", "rate",
            "resets", "stddev_over_time", "stdvar_over_time", "sum_over_time"])
        {
            Add(name, V, M);
        }
        foreach (var name in (string[])["first_over_time", "mad_over_time", "ts_of_first_over_time", "ts_of_last_over_time",
            "ts_of_max_over_time", "ts_of_min_over_time"])
        {
            Exp(name, 0, V, M);
        }
        foreach (var name in (string[])["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year"])
        {
            Var(name, 1, V, V);
        }
        Add("clamp", V, V, S, S);
        Add("clamp_max", V, V, S);
        Add("clamp_min", V, V, S);
        Add("histogram_fraction", V, S, S, V);
        Add("histogram_quantile", V, S, V);
        Exp("histogram_quantiles", 9, V, V, Str, S, S);
        Exp("double_exponential_smoothing", 0, V, M, S, S);
        Exp("info", 1, V, V, V);
        Exp("integral", 1, V, M, S);
        Add("label_replace", V, V, Str, Str, Str, Str);
        Var("label_join", -1, V, V, Str, Str, Str);
        Add("predict_linear", V, M, S);
        Add("quantile_over_time", V, S, M);
        Var("round", 1, V, V, S);
        Add("scalar", S, V);
        Exp("sort_by_label", -1, V, V, Str);
        Exp("sort_by_label_desc", -1, V, V, Str);
        Add("pi", S);
        Add("time", S);
        Add("vector", V, S);
        Add("min_of", S, S, S);
        Add("max_of", S, S, S);
        Exp("start_timestamp", 0, V, V);
        foreach (var name in (string[])["start", "end", "step", "range"])
        {
            Exp(name, 0, S);
        }
        return list.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);
    }
}
