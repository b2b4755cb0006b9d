using System.Globalization;
using System.Text;

namespace Headroom.PromQL.Syntax;

/// <summary>
/// Prints syntax trees as canonical PromQL. Parenthesised sub-expressions are kept as
/// <see cref="ParenExpr"/> nodes, so printing needs no precedence logic of its own.
/// </summary>
internal static partial class Printer
{
    public static string Print(Expr expr)
    {
        var builder = new StringBuilder();
        Write(builder, expr);
        return builder.ToString();
    }

    private static void Write(StringBuilder b, Expr expr)
    {
        switch (expr)
        {
            case NumberLiteral n:
                b.Append(FormatNumber(n.Value));
                break;
            case StringLiteral s:
                b.Append(Quoting.Quote(s.Value));
                break;
            case ParenExpr p:
                b.Append('(');
                Write(b, p.Inner);
                b.Append(')');
                break;
            case UnaryExpr u:
                b.Append(u.Operator == UnaryOperator.Minus ? '-' : '+');
                Write(b, u.Operand);
                break;
            case VectorSelector v:
                WriteSelector(b, v);
                WriteModifiers(b, v.At, v.Offset, v.OffsetExpression);
                WriteExtendedRange(b, v);
                break;
            case MatrixSelector m:
                WriteSelector(b, m.Selector);
                b.Append('[');
                WriteDuration(b, m.Range, m.RangeExpression);
                b.Append(']');
                WriteModifiers(b, m.Selector.At, m.Selector.Offset, m.Selector.OffsetExpression);
                WriteExtendedRange(b, m.Selector);
                break;
            case SubqueryExpr q:
                Write(b, q.Inner);
                b.Append('[');
                WriteDuration(b, q.Range, q.RangeExpression);
                b.Append(':');
                if (q.Step != TimeSpan.Zero || q.StepExpression is not null)
                {
                    WriteDuration(b, q.Step, q.StepExpression);
                }
                b.Append(']');
                WriteModifiers(b, q.At, q.Offset, q.OffsetExpression);
                break;
            case BinaryExpr e:
                WriteBinary(b, e);
                break;
            case AggregateExpr a:
                WriteAggregate(b, a);
                break;
            case Call c:
                b.Append(c.Function.Name).Append('(');
                WriteList(b, c.Arguments);
                b.Append(')');
                break;
            default:
                expr.PrintCustom(b);
                break;
        }
    }

    private static void WriteList(StringBuilder b, ValueArray<Expr> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                b.Append(", ");
            }
            Write(b, items[i]);
        }
    }

    /// <summary>
    /// Numbers in a form the lexer reads back. Positive infinity is <c>Inf</c>, not Prometheus' <c>+Inf</c>:
    /// a leading sign would turn <c>Inf ^ x</c> into <c>+(Inf ^ x)</c> when reparsed.
    /// </summary>
    public static string FormatNumber(double value) => value switch
    {
        double.PositiveInfinity => "Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>A label name as written in selectors and label lists: bare when it is a legacy name, else quoted.</summary>
    public static string LabelName(string name) =>
        IsLegacyName(name, allowColon: false) && !Lexer.IsReservedWord(name) ? name : Quoting.Quote(name);

    // Words such as Inf or bool would lex as numbers or keywords, so such metric names are printed quoted.
    private static bool IsBareMetricName(string name) => IsLegacyName(name, allowColon: true) && Lexer.CanBeBareMetricName(name);

    private static bool IsLegacyName(string name, bool allowColon)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!Lexer.IsAlphaNumeric(c) && !(allowColon && c == ':'))
            {
                return false;
            }
        }
        return true;
    }
}
