namespace Headroom.PromQL.Engine;

/// <summary>Compensated summation, so sums of many samples agree with Prometheus to the last digits.</summary>
internal static class Kahan
{
    /// <summary>Adds <paramref name="inc"/> to <paramref name="sum"/>, tracking the lost low-order part in <paramref name="c"/>.</summary>
    public static void Add(double inc, ref double sum, ref double c)
    {
        var t = sum + inc;
        if (double.IsInfinity(t))
        {
            c = 0;
        }
        else if (Math.Abs(sum) >= Math.Abs(inc))
        {
            c += (sum - t) + inc;
        }
        else
        {
            c += (inc - t) + sum;
        }
        sum = t;
    }
}
