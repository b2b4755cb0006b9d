namespace Headroom.PromQL.Syntax;

/// <summary>A binary operator.</summary>
public enum BinaryOperator
{
    /// <summary><c>+</c></summary>
    Add,
    /// <summary><c>-</c></summary>
    Subtract,
    /// <summary><c>*</c></summary>
    Multiply,
    /// <summary><c>/</c></summary>
    Divide,
    /// <summary><c>%</c></summary>
    Modulo,
    /// <summary><c>^</c> (right-associative)</summary>
    Power,
    /// <summary><c>atan2</c></summary>
    Atan2,
    /// <summary><c>&lt;/</c>: trims native histogram observations above the right operand.</summary>
    TrimUpper,
    /// <summary><c>&gt;/</c>: trims native histogram observations below the right operand.</summary>
    TrimLower,
    /// <summary><c>==</c></summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
    /// <summary><c>&gt;</c></summary>
    Greater,
    /// <summary><c>&lt;</c></summary>
    Less,
    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,
    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,
    /// <summary><c>and</c></summary>
    And,
    /// <summary><c>or</c></summary>
    Or,
    /// <summary><c>unless</c></summary>
    Unless,
}

/// <summary>Facts about <see cref="BinaryOperator"/>.</summary>
public static class BinaryOperators
{
    /// <summary>The operator as written in PromQL.</summary>
    public static string Symbol(this BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Modulo => "%",
        BinaryOperator.Power => "^",
        BinaryOperator.Atan2 => "atan2",
        BinaryOperator.TrimUpper => "</",
        BinaryOperator.TrimLower => ">/",
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.Greater => ">",
        BinaryOperator.Less => "<",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.And => "and",
        BinaryOperator.Or => "or",
        BinaryOperator.Unless => "unless",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>True for <c>== != &gt; &lt; &gt;= &lt;=</c>.</summary>
    public static bool IsComparison(this BinaryOperator op) =>
        op is >= BinaryOperator.Equal and <= BinaryOperator.LessOrEqual;

    /// <summary>True for <c>and or unless</c>.</summary>
    public static bool IsSetOperator(this BinaryOperator op) =>
        op is BinaryOperator.And or BinaryOperator.Or or BinaryOperator.Unless;

    /// <summary>Binding strength: 1 (<c>or</c>) to 6 (<c>^</c>).</summary>
    public static int Precedence(this BinaryOperator op) => op switch
    {
        BinaryOperator.Or => 1,
        BinaryOperator.And or BinaryOperator.Unless => 2,
        BinaryOperator.Add or BinaryOperator.Subtract => 4,
        BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Modulo or BinaryOperator.Atan2
            or BinaryOperator.TrimUpper or BinaryOperator.TrimLower => 5,
        BinaryOperator.Power => 6,
        _ => 3,
    };
}
