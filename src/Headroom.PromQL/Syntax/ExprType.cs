namespace Headroom.PromQL.Syntax;

/// <summary>The type an expression evaluates to.</summary>
public enum ExprType
{
    /// <summary>No value (only used for malformed trees).</summary>
    None,

    /// <summary>A single floating point number.</summary>
    Scalar,

    /// <summary>One sample per series at each evaluation step.</summary>
    InstantVector,

    /// <summary>A window of samples per series at each evaluation step.</summary>
    RangeVector,

    /// <summary>A string literal.</summary>
    String,
}

/// <summary>Names of <see cref="ExprType"/> as PromQL documentation and error messages spell them.</summary>
public static class ExprTypeNames
{
    /// <summary>"scalar", "instant vector", "range vector", "string" or "none".</summary>
    public static string DocumentedName(this ExprType type) => type switch
    {
        ExprType.Scalar => "scalar",
        ExprType.InstantVector => "instant vector",
        ExprType.RangeVector => "range vector",
        ExprType.String => "string",
        _ => "none",
    };
}
