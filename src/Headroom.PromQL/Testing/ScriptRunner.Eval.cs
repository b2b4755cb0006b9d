using System.Globalization;
using System.Text;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Testing;

public static partial class ScriptRunner
{
    private enum AnnotationCheck
    {
        None,
        Expect,
        ExpectNone,
    }

    private sealed class Expectation
    {
        public bool Fail { get; set; }
        public string? FailMessage { get; set; }
        public PromRegex? FailRegex { get; set; }
        public string? FailPattern { get; set; }
        public bool Ordered { get; set; }
        public AnnotationCheck Warn { get; set; }
        public AnnotationCheck Info { get; set; }
        public string? WarnMessage { get; set; }
        public string? InfoMessage { get; set; }
        public string? String { get; set; }
        public double? Scalar { get; set; }
        public (long From, long To, long Step)? RangeVector { get; set; }
        public List<(Labels Labels, List<SeriesValues.Value> Values)> Series { get; } = [];
    }

    private static async Task<EvalOutcome> EvalAsync(QueryEngine engine, string file, int line, string command,
        List<(int Line, string Text)> body, List<Labels> histogramSeries, CancellationToken cancellationToken)
    {
        var match = EvalCommand().Match(command);
        if (!match.Success)
        {
            return new EvalOutcome(file, line, command, EvalStatus.Failed, "cannot read eval command");
        }
        var query = match.Groups[6].Value.Trim();
        EvalOutcome Outcome(EvalStatus status, string? diff = null) => new(file, line, query, status, diff);
        if (TouchesHistograms(query, histogramSeries) || body.Any(b => b.Text.Contains("{{", StringComparison.Ordinal)))
        {
            return Outcome(EvalStatus.Skipped);
        }
        Expectation expect;
        try
        {
            expect = ReadExpectation(match.Groups[1].Value, body);
        }
        catch (Exception e) when (e is FormatException or ParseException or ArgumentException)
        {
            return Outcome(EvalStatus.Failed, "cannot read expected result: " + e.Message);
        }
        var isRange = match.Groups[3].Success;
        QueryResult result;
        long start = 0, step = 0;
        try
        {
            if (isRange)
            {
                start = (long)ParseDuration(match.Groups[3].Value).TotalMilliseconds;
                var end = (long)ParseDuration(match.Groups[4].Value).TotalMilliseconds;
                step = (long)ParseDuration(match.Groups[5].Value).TotalMilliseconds;
                result = await engine.RangeAsync(query, start, end, step, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                start = (long)ParseDuration(match.Groups[2].Value).TotalMilliseconds;
                result = await engine.InstantAsync(query, start, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ParseException or QueryException or ArgumentException or FormatException)
        {
            if (!expect.Fail)
            {
                return Outcome(EvalStatus.Failed, $"unexpected error: {e.Message}");
            }
            var message = e is ParseException pe ? pe.Message : e.Message;
            if (expect.FailMessage is not null && message != expect.FailMessage && !message.EndsWith(expect.FailMessage, StringComparison.Ordinal))
            {
                return Outcome(EvalStatus.Failed, $"expected error: {expect.FailMessage}\n     got error: {message}");
            }
            if (expect.FailRegex is not null && !expect.FailRegex.IsMatch(message))
            {
                return Outcome(EvalStatus.Failed, $"expected error matching: {expect.FailPattern}\n             got error: {message}");
            }
            return Outcome(EvalStatus.Passed);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A fault below the engine (a source, a bug) fails this eval, with its message, rather than the whole run.
            return Outcome(EvalStatus.Failed, $"unexpected {e.GetType().Name}: {e.Message}");
        }
        if (expect.Fail)
        {
            return Outcome(EvalStatus.Failed, "expected an error, got a result:\n" + Describe(result.Value));
        }
        var problem = CheckAnnotations(expect, result.Annotations) ?? Compare(expect, result.Value, isRange, start, step);
        return problem is null ? Outcome(EvalStatus.Passed) : Outcome(EvalStatus.Failed, problem);
    }

    private static Expectation ReadExpectation(string command, List<(int Line, string Text)> body)
    {
        var expect = new Expectation
        {
            Fail = command == "eval_fail",
            Ordered = command == "eval_ordered",
            Warn = command == "eval_warn" ? AnnotationCheck.Expect : AnnotationCheck.None,
            Info = command == "eval_info" ? AnnotationCheck.Expect : AnnotationCheck.None,
        };
        foreach (var (_, raw) in body)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (line.StartsWith("expect ", StringComparison.Ordinal))
            {
                ReadDirective(expect, line);
                continue;
            }
            if (SeriesValues.TryNumber(line, out var scalar))
            {
                expect.Scalar = scalar;
                continue;
            }
            var (selector, values) = SeriesValues.SplitSeries(line);
            expect.Series.Add((ParseLabels(selector), SeriesValues.Parse(values)));
        }
        return expect;
    }

    private static void ReadDirective(Expectation expect, string line)
    {
        var rest = line["expect ".Length..].Trim();
        var range = ExpectRange().Match(line);
        if (range.Success)
        {
            expect.RangeVector = ((long)ParseDuration(range.Groups[1].Value).TotalMilliseconds,
                (long)ParseDuration(range.Groups[2].Value).TotalMilliseconds,
                (long)ParseDuration(range.Groups[3].Value).TotalMilliseconds);
            return;
        }
        var word = rest.Split(' ', 2)[0];
        var argument = rest.Length > word.Length ? rest[word.Length..].Trim() : "";
        string? message = null;
        string? pattern = null;
        if (argument.StartsWith("msg:", StringComparison.Ordinal))
        {
            message = argument[4..].Trim();
        }
        else if (argument.StartsWith("regex:", StringComparison.Ordinal))
        {
            // Prometheus' test runner compiles this with Go's regexp and searches the error message with it.
            pattern = argument[6..].Trim();
        }
        switch (word)
        {
            case "fail":
                expect.Fail = true;
                expect.FailMessage = message;
                expect.FailRegex = pattern is null ? null : PromRegex.Unanchored(pattern);
                expect.FailPattern = pattern;
                break;
            case "ordered":
                expect.Ordered = true;
                break;
            case "warn":
                expect.Warn = AnnotationCheck.Expect;
                expect.WarnMessage = message is null ? null : PositionSuffix().Replace(message, "");
                break;
            case "no_warn":
                expect.Warn = AnnotationCheck.ExpectNone;
                break;
            case "info":
                expect.Info = AnnotationCheck.Expect;
                expect.InfoMessage = message is null ? null : PositionSuffix().Replace(message, "");
                break;
            case "no_info":
                expect.Info = AnnotationCheck.ExpectNone;
                break;
            case "string":
                expect.String = Quoting.Unquote(argument, out var quoteError) ?? throw new FormatException(quoteError);
                break;
            default:
                throw new FormatException($"unknown expectation: {line}");
        }
    }

    private static string? CheckAnnotations(Expectation expect, Annotations annotations)
    {
        static string? Check(string kind, AnnotationCheck check, string? message, IReadOnlyList<string> got)
        {
            switch (check)
            {
                case AnnotationCheck.Expect when got.Count == 0:
                    return $"expected a {kind} annotation, got none";
                case AnnotationCheck.Expect when message is not null && !got.Contains(message):
                    return $"expected {kind}: {message}\n got: {string.Join("; ", got)}";
                case AnnotationCheck.ExpectNone when got.Count > 0:
                    return $"expected no {kind} annotation, got: {string.Join("; ", got)}";
                default:
                    return null;
            }
        }
        return Check("warn", expect.Warn, expect.WarnMessage, annotations.Warnings)
            ?? Check("info", expect.Info, expect.InfoMessage, annotations.Infos);
    }

    private static string? Compare(Expectation expect, QueryValue value, bool isRange, long start, long step)
    {
        switch (value)
        {
            case StringResult s:
                return expect.String == s.Value ? null : $"expected string: {expect.String ?? "(none)"}\n     got string: {s.Value}";
            case ScalarResult s:
                if (expect.Scalar is { } want && Equal(want, s.Value))
                {
                    return null;
                }
                return $"expected scalar: {(expect.Scalar is { } w ? Format(w) : "(none)")}\n     got scalar: {Format(s.Value)}";
            case VectorResult v:
                return CompareVector(expect, v);
            case MatrixResult m:
                if (isRange)
                {
                    return CompareMatrix(expect, m, k => start + k * step);
                }
                if (expect.RangeVector is { } rv)
                {
                    return CompareMatrix(expect, m, k => rv.From + k * rv.Step);
                }
                return CompareMatrix(expect, m, null);
            default:
                return "unexpected result type";
        }
    }

    private static string? CompareVector(Expectation expect, VectorResult v)
    {
        var problems = new List<string>();
        if (expect.Scalar is not null || expect.String is not null)
        {
            problems.Add("expected a scalar or string, got a vector");
        }
        var got = v.Samples;
        if (expect.Series.Count != got.Count)
        {
            problems.Add($"expected {expect.Series.Count} series, got {got.Count}");
        }
        for (var k = 0; k < expect.Series.Count && problems.Count == 0; k++)
        {
            var (labels, values) = expect.Series[k];
            if (values.Count != 1 || values[0].Missing)
            {
                problems.Add($"expected series {labels} must have exactly one value");
                break;
            }
            var index = expect.Ordered ? k : IndexOf(got, labels);
            if (index < 0 || !got[index].Labels.Equals(labels))
            {
                problems.Add(expect.Ordered ? $"series {k}: expected {labels}" : $"missing series {labels}");
            }
            else if (!Equal(values[0].F, got[index].F))
            {
                problems.Add($"{labels}: expected {Format(values[0].F)}, got {Format(got[index].F)}");
            }
        }
        if (problems.Count == 0)
        {
            return null;
        }
        var text = new StringBuilder(string.Join("\n", problems)).Append("\nexpected:\n");
        foreach (var (labels, values) in expect.Series)
        {
            text.Append("  ").Append(labels).Append(' ').AppendJoin(' ', values.Select(x => x.Missing ? "_" : Format(x.F))).Append('\n');
        }
        text.Append("got:\n").Append(Describe(v));
        return text.ToString().TrimEnd();
    }

    private static int IndexOf(IReadOnlyList<Sample> samples, Labels labels)
    {
        for (var i = 0; i < samples.Count; i++)
        {
            if (samples[i].Labels.Equals(labels))
            {
                return i;
            }
        }
        return -1;
    }

    private static string? CompareMatrix(Expectation expect, MatrixResult m, Func<int, long>? timeOf)
    {
        var problems = new List<string>();
        var expectedSeries = expect.Series.Where(s => s.Values.Any(v => !v.Missing)).ToList();
        if (expect.Scalar is { } scalar)
        {
            expectedSeries.Add((Labels.Empty, [new SeriesValues.Value(false, scalar, false)]));
        }
        if (expectedSeries.Count != m.Series.Count)
        {
            problems.Add($"expected {expectedSeries.Count} series, got {m.Series.Count}");
        }
        foreach (var (labels, values) in expectedSeries)
        {
            var got = m.Series.FirstOrDefault(s => s.Labels.Equals(labels));
            if (got is null)
            {
                problems.Add($"missing series {labels}");
                continue;
            }
            var want = new List<FloatPoint>();
            for (var k = 0; k < values.Count; k++)
            {
                if (!values[k].Missing)
                {
                    want.Add(new FloatPoint(timeOf?.Invoke(k) ?? 0, values[k].F));
                }
            }
            var ok = want.Count == got.Points.Length;
            for (var k = 0; ok && k < want.Count; k++)
            {
                ok = Equal(want[k].F, got.Points[k].F) && (timeOf is null || want[k].T == got.Points[k].T);
            }
            if (!ok)
            {
                problems.Add($"{labels}: expected {FormatPoints(want)}\n  got {FormatPoints(got.Points)}");
            }
        }
        return problems.Count == 0 ? null : string.Join("\n", problems) + "\ngot:\n" + Describe(m);
    }

    private static string FormatPoints(IEnumerable<FloatPoint> points) =>
        string.Join(" ", points.Select(p => $"{Format(p.F)}@{p.T / 1000.0}s"));

    /// <summary>Relative comparison as Prometheus' test runner does it; NaN equals NaN, zero must match exactly.</summary>
    internal static bool Equal(double expected, double got)
    {
        if (double.IsNaN(expected) || double.IsNaN(got))
        {
            return double.IsNaN(expected) && double.IsNaN(got);
        }
        if (expected == got)
        {
            return true;
        }
        const double MinNormal = 2.2250738585072014e-308;
        var absSum = Math.Abs(expected) + Math.Abs(got);
        var diff = Math.Abs(expected - got);
        if (expected == 0 || got == 0 || absSum < MinNormal)
        {
            return diff < Tolerance * MinNormal;
        }
        return diff / Math.Min(absSum, double.MaxValue) < Tolerance;
    }

    private static string Format(double v) => Printer.FormatNumber(v);

    private static string Describe(QueryValue value) => value switch
    {
        ScalarResult s => "  scalar " + Format(s.Value),
        StringResult s => "  string " + s.Value,
        VectorResult v when v.Samples.Count == 0 => "  (empty vector)",
        VectorResult v => string.Join("\n", v.Samples.Take(20).Select(s => $"  {s.Labels} {Format(s.F)}")),
        MatrixResult m when m.Series.Count == 0 => "  (empty matrix)",
        MatrixResult m => string.Join("\n", m.Series.Take(20).Select(s => $"  {s.Labels} {FormatPoints(s.Points)}")),
        _ => "  ?",
    };
}
