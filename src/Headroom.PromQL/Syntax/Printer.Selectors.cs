using System.Globalization;
using System.Text;

namespace Headroom.PromQL.Syntax;

internal static partial class Printer
{
    private static void WriteSelector(StringBuilder b, VectorSelector v)
    {
        var bareName = v.Name is not null && IsBareMetricName(v.Name);
        if (bareName)
        {
            b.Append(v.Name);
        }
        var first = true;
        foreach (var m in v.Matchers)
        {
            if (v.Name is not null && m.Name == "__name__" && m.Type == LabelMatchType.Equal && m.Value == v.Name)
            {
                continue;
            }
            b.Append(first ? (bareName || v.Name is null ? "{" : "{" + Quoting.Quote(v.Name!) + ", ") : ", ");
            first = false;
            b.Append(m);
        }
        if (!first)
        {
            b.Append('}');
        }
        else if (!bareName)
        {
            b.Append('{').Append(v.Name is null ? "" : Quoting.Quote(v.Name)).Append('}');
        }
    }

    private static void WriteDuration(StringBuilder b, TimeSpan value, Expr? expression)
    {
        if (expression is null)
        {
            b.Append(Durations.Format(value));
        }
        else
        {
            Write(b, expression);
        }
    }

    private static void WriteExtendedRange(StringBuilder b, VectorSelector v)
    {
        if (v.Anchored)
        {
            b.Append(" anchored");
        }
        if (v.Smoothed)
        {
            b.Append(" smoothed");
        }
    }

    private static void WriteModifiers(StringBuilder b, AtModifier? at, TimeSpan offset, Expr? offsetExpression)
    {
        switch (at?.Kind)
        {
            case AtKind.Timestamp:
                b.Append(" @ ").Append(FormatTimestamp(at.TimestampMs));
                break;
            case AtKind.Start:
                b.Append(" @ start()");
                break;
            case AtKind.End:
                b.Append(" @ end()");
                break;
        }
        if (offsetExpression is not null)
        {
            b.Append(" offset ");
            Write(b, offsetExpression);
        }
        else if (offset != TimeSpan.Zero)
        {
            b.Append(offset < TimeSpan.Zero ? " offset -" : " offset ").Append(Durations.Format(offset.Duration()));
        }
    }

    /// <summary>Seconds with exactly three decimals, computed on integers so large timestamps print exactly.</summary>
    private static string FormatTimestamp(long ms)
    {
        var magnitude = ms < 0 ? (ulong)(-(ms + 1)) + 1 : (ulong)ms;
        var seconds = (magnitude / 1000).ToString(CultureInfo.InvariantCulture);
        var millis = (magnitude % 1000).ToString("D3", CultureInfo.InvariantCulture);
        return (ms < 0 ? "-" : "") + seconds + "." + millis;
    }
}
