using System.Text;

namespace Headroom.PromQL.Syntax;

internal static partial class Printer
{
    private static void WriteBinary(StringBuilder b, BinaryExpr e)
    {
        Write(b, e.Left);
        b.Append(' ').Append(e.Operator.Symbol());
        if (e.ReturnBool)
        {
            b.Append(" bool");
        }
        if (e.Matching is { } m)
        {
            var grouped = m.Cardinality is VectorMatchCardinality.ManyToOne or VectorMatchCardinality.OneToMany;
            if (m.On || m.MatchingLabels.Count > 0 || grouped)
            {
                b.Append(m.On ? " on " : " ignoring ");
                WriteLabels(b, m.MatchingLabels);
            }
            if (grouped)
            {
                b.Append(m.Cardinality == VectorMatchCardinality.ManyToOne ? " group_left " : " group_right ");
                WriteLabels(b, m.Include);
            }
            if (m.FillLeft is { } both && m.FillRight.Equals(both))
            {
                b.Append(" fill(").Append(FormatNumber(both)).Append(')');
            }
            else
            {
                if (m.FillLeft is { } left)
                {
                    b.Append(" fill_left(").Append(FormatNumber(left)).Append(')');
                }
                if (m.FillRight is { } right)
                {
                    b.Append(" fill_right(").Append(FormatNumber(right)).Append(')');
                }
            }
        }
        b.Append(' ');
        Write(b, e.Right);
    }

    private static void WriteAggregate(StringBuilder b, AggregateExpr a)
    {
        b.Append(a.Operator.Keyword());
        if (a.Without || a.Grouping.Count > 0)
        {
            b.Append(a.Without ? " without " : " by ");
            WriteLabels(b, a.Grouping);
            b.Append(' ');
        }
        b.Append('(');
        if (a.Parameter is not null)
        {
            Write(b, a.Parameter);
            b.Append(", ");
        }
        Write(b, a.Inner);
        b.Append(')');
    }

    private static void WriteLabels(StringBuilder b, ValueArray<string> labels)
    {
        b.Append('(');
        for (var i = 0; i < labels.Count; i++)
        {
            if (i > 0)
            {
                b.Append(", ");
            }
            b.Append(LabelName(labels[i]));
        }
        b.Append(')');
    }
}
