namespace Headroom.PromQL.Syntax;

/// <summary>A function call such as <c>rate(x[5m])</c>.</summary>
/// <param name="Function">The called function's signature.</param>
/// <param name="Arguments">The arguments.</param>
public sealed record Call(FunctionSignature Function, ValueArray<Expr> Arguments) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => Function.ReturnType;
}
