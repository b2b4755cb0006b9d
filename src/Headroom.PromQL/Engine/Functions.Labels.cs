using System.Text;
using System.Text.RegularExpressions;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

internal static partial class Functions
{
    private static void AddLabels(Dictionary<string, FunctionImplementation> t)
    {
        t["label_replace"] = LabelReplace;
        t["label_join"] = LabelJoin;
        t["sort_by_label"] = (ev, c) => SortByLabel(ev, c, descending: false);
        t["sort_by_label_desc"] = (ev, c) => SortByLabel(ev, c, descending: true);
    }

    private static StepVector Relabel(Evaluator ev, StepVector input, Func<Labels, Labels> relabel, string destination)
    {
        var builder = new StepVectorBuilder(ev.Steps);
        foreach (var s in input.Series)
        {
            var labels = relabel(s.Labels);
            // Writing __name__ keeps the (new) name even where an earlier function marked it for removal.
            var dropName = s.DropName && destination != Labels.MetricName;
            for (var i = 0; i < ev.Steps; i++)
            {
                if (s.Present[i])
                {
                    builder.Add(i, labels, s.Values[i], dropName);
                }
            }
        }
        return builder.Build();
    }

    private static StepVector LabelReplace(Evaluator ev, Call c)
    {
        var input = ev.EvalVector(c.Arguments[0]);
        var destination = ev.StringArg(c, 1);
        var replacement = ev.StringArg(c, 2);
        var source = ev.StringArg(c, 3);
        var pattern = ev.StringArg(c, 4);
        PromRegex regex;
        try
        {
            regex = PromRegex.Anchored(pattern);
        }
        catch (RegexSyntaxException e)
        {
            // Prometheus' message names only the expression; Go's reason after it says what to change.
            throw new QueryException($"invalid regular expression in label_replace(): {pattern} ({e.Message})", e);
        }
        if (!Evaluator.IsValidLabelName(destination))
        {
            throw new QueryException($"invalid destination label name in label_replace(): {destination}");
        }
        return Relabel(ev, input, labels =>
        {
            var match = regex.Match(labels.Get(source));
            return match.Success ? labels.With(destination, Expand(match, regex, replacement)) : labels;
        }, destination);
    }

    /// <summary>
    /// Expands <c>$1</c>, <c>${1}</c>, <c>$name</c> as Go's regexp does: a name runs as far as letters, digits and
    /// underscores go; a <c>$</c> not followed by a well-formed name stays as it is.
    /// </summary>
    private static string Expand(Match match, PromRegex regex, string template)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '$' || i + 1 >= template.Length)
            {
                builder.Append(template[i]);
                continue;
            }
            if (template[i + 1] == '$')
            {
                builder.Append('$');
                i++;
                continue;
            }
            var brace = template[i + 1] == '{';
            var nameStart = i + (brace ? 2 : 1);
            var nameEnd = nameStart;
            // Go's regexp reads Unicode letters and digits here, not only ASCII ones.
            while (nameEnd < template.Length && (char.IsLetterOrDigit(template[nameEnd]) || template[nameEnd] == '_'))
            {
                nameEnd++;
            }
            if (nameEnd == nameStart || (brace && (nameEnd >= template.Length || template[nameEnd] != '}')))
            {
                builder.Append('$');
                continue;
            }
            var name = template[nameStart..nameEnd];
            i = brace ? nameEnd : nameEnd - 1;
            builder.Append(regex.Group(match, name)?.Value);
        }
        return builder.ToString();
    }

    private static StepVector LabelJoin(Evaluator ev, Call c)
    {
        var input = ev.EvalVector(c.Arguments[0]);
        var destination = ev.StringArg(c, 1);
        var separator = ev.StringArg(c, 2);
        var sources = Enumerable.Range(3, c.Arguments.Count - 3).Select(i => ev.StringArg(c, i)).ToArray();
        if (!Evaluator.IsValidLabelName(destination))
        {
            throw new QueryException($"invalid destination label name in label_join(): {destination}");
        }
        foreach (var source in sources)
        {
            if (!Evaluator.IsValidLabelName(source))
            {
                throw new QueryException($"invalid source label name in label_join(): {source}");
            }
        }
        return Relabel(ev, input, labels => labels.With(destination, string.Join(separator, sources.Select(labels.Get))), destination);
    }

    private static StepVector SortByLabel(Evaluator ev, Call c, bool descending)
    {
        var input = ev.EvalVector(c.Arguments[0]);
        var names = Enumerable.Range(1, c.Arguments.Count - 1).Select(i => ev.StringArg(c, i)).ToArray();
        if (ev.Context.IsRangeQuery)
        {
            ev.Context.Annotations.Warn("sort is ineffective for range queries since results are always ordered by labels");
            return input;
        }
        var list = input.Series.Where(s => s.Present[0]).ToList();
        list.Sort((a, b) =>
        {
            foreach (var name in names)
            {
                var cmp = NaturalCompare(a.Labels.Get(name), b.Labels.Get(name));
                if (cmp != 0)
                {
                    return descending ? -cmp : cmp;
                }
            }
            var all = Labels.Compare(a.Labels, b.Labels);
            return descending ? -all : all;
        });
        return new StepVector(list);
    }

    /// <summary>Compares strings with runs of digits ordered by number, so "a10" sorts after "a9".</summary>
    internal static int NaturalCompare(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                var si = i;
                var sj = j;
                while (i < a.Length && char.IsAsciiDigit(a[i]))
                {
                    i++;
                }
                while (j < b.Length && char.IsAsciiDigit(b[j]))
                {
                    j++;
                }
                var na = a[si..i].TrimStart('0');
                var nb = b[sj..j].TrimStart('0');
                var cmp = na.Length != nb.Length ? na.Length.CompareTo(nb.Length) : string.CompareOrdinal(na, nb);
                if (cmp != 0)
                {
                    return cmp;
                }
                continue;
            }
            if (a[i] != b[j])
            {
                return a[i].CompareTo(b[j]);
            }
            i++;
            j++;
        }
        return (a.Length - i).CompareTo(b.Length - j);
    }
}
