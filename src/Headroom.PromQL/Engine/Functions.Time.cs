using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

internal static partial class Functions
{
    private static void AddTime(Dictionary<string, FunctionImplementation> t)
    {
        void Date(string name, Func<DateTime, double> f) => t[name] = (ev, c) =>
        {
            StepVector input;
            if (c.Arguments.Count == 0)
            {
                var now = new StepSeries(Labels.Empty, ev.Steps, dropName: false);
                for (var i = 0; i < ev.Steps; i++)
                {
                    now.Values[i] = ev.Ts(i) / 1000.0;
                    now.Present[i] = true;
                }
                input = new StepVector([now]);
            }
            else
            {
                input = ev.EvalVector(c.Arguments[0]);
            }
            return ev.MapValues(input, v => double.IsNaN(v) || double.IsInfinity(v) ? v
                : f(DateTime.UnixEpoch.AddTicks((long)Math.Floor(v) * TimeSpan.TicksPerSecond)));
        };
        Date("year", d => d.Year);
        Date("month", d => d.Month);
        Date("day_of_month", d => d.Day);
        Date("day_of_week", d => (int)d.DayOfWeek);
        Date("day_of_year", d => d.DayOfYear);
        Date("days_in_month", d => DateTime.DaysInMonth(d.Year, d.Month));
        Date("hour", d => d.Hour);
        Date("minute", d => d.Minute);
    }
}
