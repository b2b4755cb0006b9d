using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

internal sealed partial class Evaluator
{
    /// <summary>
    /// A subtree computed elsewhere: its series were fetched with the selectors, one point per evaluation time;
    /// they only need placing on this evaluator's steps. Labels are taken as they come (the remote side already
    /// removed metric names where the original expression would).
    /// </summary>
    private StepVector EvalRemote(RemoteResultExpr node)
    {
        var result = new List<StepSeries>();
        foreach (var series in _ctx.RemoteData(node, Start, Interval))
        {
            var output = new StepSeries(series.Labels, Steps, dropName: false);
            var any = false;
            foreach (var point in series.Points)
            {
                var offset = point.T - Start;
                if (offset < 0 || offset % Interval != 0 || offset / Interval >= Steps)
                {
                    continue;
                }
                var i = (int)(offset / Interval);
                output.Values[i] = point.F;
                output.Present[i] = true;
                any = true;
            }
            if (any)
            {
                result.Add(output);
            }
        }
        return new StepVector(result);
    }
}
