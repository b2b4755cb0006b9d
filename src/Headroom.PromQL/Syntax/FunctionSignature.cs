namespace Headroom.PromQL.Syntax;

/// <summary>The signature of a PromQL function: what the parser needs to type-check a call.</summary>
/// <param name="Name">The function name.</param>
/// <param name="ArgumentTypes">Types of the parameters; with <paramref name="Variadic"/> the last one may repeat or be omitted.</param>
/// <param name="Variadic">
/// 0: exactly <paramref name="ArgumentTypes"/>; n &gt; 0: the last parameter is optional and may repeat up to n times;
/// -1: the last parameter may repeat without limit (and be omitted).
/// </param>
/// <param name="ReturnType">The result type.</param>
/// <param name="Experimental">Behind Prometheus' experimental-functions flag.</param>
public sealed record FunctionSignature(string Name, ValueArray<ExprType> ArgumentTypes, int Variadic, ExprType ReturnType, bool Experimental = false)
{
    /// <summary>The fewest arguments a call may have.</summary>
    public int MinArguments => Variadic == 0 ? ArgumentTypes.Count : ArgumentTypes.Count - 1;

    /// <summary>The most arguments a call may have, or <see cref="int.MaxValue"/>.</summary>
    public int MaxArguments => Variadic switch
    {
        0 => ArgumentTypes.Count,
        < 0 => int.MaxValue,
        _ => ArgumentTypes.Count - 1 + Variadic,
    };

    /// <summary>The expected type of argument <paramref name="index"/>.</summary>
    public ExprType ArgumentType(int index) => ArgumentTypes[Math.Min(index, ArgumentTypes.Count - 1)];
}
