using System.Diagnostics;
using System.Text;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using Headroom.PromQL.Testing;

namespace Headroom.PromQL.Tests;

/// <summary>
/// PromQL's regular expressions are RE2 (issue 12, "Hostile queries"): linear in the input, and what Go's regexp
/// refuses is refused with Go's message. Expected messages are Go's <c>regexp/syntax</c> errors as Prometheus prints them.
/// </summary>
public class RegexTests
{
    // 28 a's and a '!' make (a+)+b try every split of the a's on a backtracking engine: 2^27 paths per series.
    private static readonly string Hostile = new string('a', 28) + "!";

    private static string HostileScript(string eval, string expected)
    {
        var script = new StringBuilder("load 1m\n");
        for (var i = 0; i < 24; i++)
        {
            script.Append($"  m{{i=\"{i}\", v=\"{Hostile}\"}} 1\n");
        }
        // Four that match, so the answer shows the expression was really evaluated.
        for (var i = 0; i < 4; i++)
        {
            script.Append($"  m{{i=\"ok{i}\", v=\"{new string('a', 20 + i)}b\"}} 1\n");
        }
        return script.Append('\n').Append(eval).Append('\n').Append(expected).Append('\n').ToString();
    }

    [Fact]
    public async Task A_pathological_pattern_over_many_series_answers_quickly_and_right()
    {
        var clock = Stopwatch.StartNew();
        var result = await ScriptRunner.RunAsync(
            HostileScript("eval instant at 0 count(m{v=~\"(a+)+b\"})", "  {} 4"), "hostile.test");
        clock.Stop();
        Assert.True(result.Failed == 0 && result.Errors.Count == 0, string.Join("\n", result.Failures.Select(f => f.ToString()).Concat(result.Errors)));
        Assert.Equal(1, result.Passed);
        // A backtracking engine takes minutes here; the bound is loose because the machine is shared.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_pathological_pattern_in_label_replace_answers_quickly_and_right()
    {
        var clock = Stopwatch.StartNew();
        var result = await ScriptRunner.RunAsync(HostileScript(
            "eval instant at 0 count by (w) (label_replace(m, \"w\", \"y\", \"v\", \"(a+)+b\"))",
            "  {w=\"y\"} 4\n  {} 24"), "hostile.test");
        clock.Stop();
        Assert.True(result.Failed == 0 && result.Errors.Count == 0, string.Join("\n", result.Failures.Select(f => f.ToString()).Concat(result.Errors)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Theory]
    // Lookarounds, backreferences, atomic groups, possessive quantifiers, conditionals, comments: all .NET, none RE2.
    [InlineData("a(?=b)", "invalid or unsupported Perl syntax: `(?=`")]
    [InlineData("a(?!b)", "invalid or unsupported Perl syntax: `(?!`")]
    [InlineData("(?<=a)b", "invalid named capture: `(?<=a)b`")]
    [InlineData("(?<!a)b", "invalid named capture: `(?<!a)b`")]
    [InlineData(@"(a)\1", @"invalid escape sequence: `\1`")]
    [InlineData(@"(?<x>a)\k<x>", @"invalid escape sequence: `\k`")]
    [InlineData("(?>a+)b", "invalid or unsupported Perl syntax: `(?>`")]
    [InlineData("a++b", "invalid nested repetition operator: `++`")]
    [InlineData("a*+b", "invalid nested repetition operator: `*+`")]
    [InlineData("a{2}+", "invalid nested repetition operator: `{2}+`")]
    [InlineData("(?(a)b|c)", "invalid or unsupported Perl syntax: `(?(`")]
    [InlineData("(?#note)a", "invalid or unsupported Perl syntax: `(?#`")]
    [InlineData("(?'x'a)", "invalid or unsupported Perl syntax: `(?'`")]
    [InlineData("(?x)a b", "invalid or unsupported Perl syntax: `(?x`")]
    [InlineData("(?i", "invalid or unsupported Perl syntax: `(?i`")]
    [InlineData("(?i-)a", "invalid or unsupported Perl syntax: `(?i-)`")]
    // .NET escapes RE2 lacks.
    [InlineData(@"a\Z", @"invalid escape sequence: `\Z`")]
    [InlineData(@"\Ga", @"invalid escape sequence: `\G`")]
    [InlineData(@"\e", @"invalid escape sequence: `\e`")]
    [InlineData(@"\cA", @"invalid escape sequence: `\c`")]
    [InlineData(@"\u0041", @"invalid escape sequence: `\u`")]
    [InlineData(@"\C", @"invalid escape sequence: `\C`")]
    [InlineData(@"[\b]", @"invalid escape sequence: `\b`")]
    [InlineData(@"\8", @"invalid escape sequence: `\8`")]
    [InlineData(@"\xZ1", @"invalid escape sequence: `\xZ1`")]
    [InlineData(@"\x{}", @"invalid escape sequence: `\x{}`")]
    // Go's own syntax errors.
    [InlineData("(a", "missing closing ): `(a`")]
    [InlineData("a)", "unexpected ): `a)`")]
    [InlineData("x[a", "missing closing ]: `[a`")]
    [InlineData("*a", "missing argument to repetition operator: `*`")]
    [InlineData("a|*", "missing argument to repetition operator: `*`")]
    [InlineData("(?i)+", "missing argument to repetition operator: `+`")]
    [InlineData(@"a\", "trailing backslash at end of expression: ``")]
    [InlineData("[z-a]", "invalid character class range: `z-a`")]
    [InlineData("[[:foo:]]", "invalid character class range: `[:foo:]`")]
    [InlineData("a{1001}", "invalid repeat count: `{1001}`")]
    [InlineData("a{3,2}", "invalid repeat count: `{3,2}`")]
    [InlineData("(a{100}){11}", "invalid repeat count: `{11}`")]
    [InlineData("(?P<>a)", "invalid named capture: `(?P<>`")]
    [InlineData("(?P<a-b>x)", "invalid named capture: `(?P<a-b>`")]
    public void Constructs_RE2_refuses_are_parse_errors_with_gos_message(string pattern, string reason)
    {
        var query = $"m{{v=~`{pattern}`}}";
        var e = Assert.Throws<ParseException>(() => Parser.Parse(query));
        Assert.Equal($"1:3: parse error: error parsing regexp: {reason}", e.Message);
        // The position covers the matcher, as Prometheus' does.
        Assert.Equal(new PositionRange(2, query.Length - 1), e.Position);
    }

    [Fact]
    public void Deep_nesting_and_huge_automata_are_refused_not_crashed_on()
    {
        var deep = Assert.Throws<RegexSyntaxException>(() => new LabelMatcher(LabelMatchType.Regex, "l", new string('(', 1002) + "a" + new string(')', 1002)));
        Assert.Equal("expression nests too deeply", deep.Code);
        Assert.True(new LabelMatcher(LabelMatchType.Regex, "l", new string('(', 500) + "a" + new string(')', 500)).Matches("a"));
        // Within Go's limits but past what the NonBacktracking engine builds.
        var large = Assert.Throws<RegexSyntaxException>(() => new LabelMatcher(LabelMatchType.Regex, "l", string.Concat(Enumerable.Repeat("[a-z]{1000}", 40))));
        Assert.Equal("expression too large", large.Code);
    }

    [Theory]
    [InlineData(@"\p{IsGreek}")]
    [InlineData(@"\p{Greek}")]
    [InlineData(@"[\p{Foo}a]")]
    public void Unicode_classes_other_than_general_categories_are_refused_with_what_is_known(string pattern)
    {
        var e = Assert.Throws<ParseException>(() => Parser.Parse($"m{{v=~`{pattern}`}}"));
        Assert.Contains("general categories such as \\p{L}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(?P<x>a)b", "ab", true)]
    [InlineData("(?<x>a)b", "ab", true)]
    [InlineData("a.c", "a\nc", true)]
    [InlineData("(?-s:a.c)", "a\nc", false)]
    [InlineData("a$", "a\n", false)]
    [InlineData("(?m)a$\n^b", "a\nb", true)]
    [InlineData("^*a", "a", true)]
    [InlineData("a|", "", true)]
    [InlineData("x*", "", true)]
    [InlineData(@"\d+", "123", true)]
    [InlineData(@"\d+", "١٢٣", false)]
    [InlineData(@"\w+", "é", false)]
    [InlineData(@"\s", "\v", false)]
    [InlineData(@"[[:space:]]", "\v", true)]
    [InlineData(@"[\D]", "a", true)]
    [InlineData(@"[^\D]", "a", false)]
    [InlineData(@"[[:^alpha:]]", "1", true)]
    [InlineData(@"[[:^alpha:]]", "a", false)]
    [InlineData("[:alpha:]", ":", true)]
    [InlineData("[]a]", "]", true)]
    [InlineData("[a-]", "-", true)]
    [InlineData(@"\pL+", "héllo", true)]
    [InlineData(@"\p{Lu}\P{Lu}", "Ab", true)]
    [InlineData(@"[\p{^L}]", "1", true)]
    [InlineData(@"\p{Any}+", "a\nb", true)]
    [InlineData(@"\Qa.b\E", "a.b", true)]
    [InlineData(@"\Qa.b\E", "axb", false)]
    [InlineData(@"\Qa.b", "a.b", true)]
    [InlineData(@"\x41\x{42}\103\0", "ABC\0", true)]
    [InlineData(@"\12", "\n", true)]
    [InlineData("a{,2}", "a{,2}", true)]
    [InlineData("a{2", "a{2", true)]
    [InlineData("a{01}", "a{01}", true)]
    [InlineData("(?i)abc", "ABC", true)]
    [InlineData("(?i:a)b", "AB", false)]
    [InlineData("a(?i)b|c", "aB", true)]
    [InlineData("a(?i)b|c", "C", true)]
    [InlineData("(?i)a(?-i)b", "Ab", true)]
    [InlineData("(?i)a(?-i)b", "AB", false)]
    [InlineData("a(?i)*", "aaa", true)]
    [InlineData("(a{10}){100}", "", false)]
    [InlineData("(?:a{0}){1000}b", "b", true)]
    [InlineData("[^a]", "\n", true)]
    [InlineData(@"\.\*\+\?\(\)\[\]\{\}\|\^\$\\\-_", ".*+?()[]{}|^$\\-_", true)]
    [InlineData("😀+", "😀😀", true)]
    public void Patterns_read_as_RE2_reads_them(string pattern, string input, bool matches) =>
        Assert.Equal(matches, new LabelMatcher(LabelMatchType.Regex, "l", pattern).Matches(input));

    [Theory]
    // Go numbers every group left to right; .NET would number the unnamed ones first.
    [InlineData("(?P<n>a)(b)", "$1-$2-$n", "ab", "a-b-a")]
    [InlineData("(?U)(a+)(a*)", "$1|$2", "aaa", "a|aa")]
    [InlineData("(?U)(a+?)(a*)", "$1|$2", "aaa", "aaa|")]
    [InlineData("(a|ab)(c|bcd)(d*)", "$1 $2 $3", "abcd", "a bcd ")]
    [InlineData("(?P<x>a)|(?P<x>b)", "[$x]", "b", "[b]")]
    [InlineData("(a)", "$01 ${1} ${1x ${} $1x $", "a", " a ${1x ${}  $")]
    [InlineData("(a)", "$$1 $9 ${name}", "a", "$1  ")]
    public async Task Label_replace_expands_groups_as_go_does(string pattern, string template, string input, string expected)
    {
        var storage = new InMemoryStorage();
        storage.Append(Labels.Of("__name__", "m", "src", input), 0, 1);
        var engine = new QueryEngine(storage);
        var result = await engine.InstantAsync($"label_replace(m, \"dst\", `{template}`, \"src\", `{pattern}`)", 0);
        var sample = Assert.Single(((VectorResult)result.Value).Samples);
        Assert.Equal(expected, sample.Labels.Get("dst"));
    }

    [Theory]
    [InlineData("a(?=b)", "invalid or unsupported Perl syntax: `(?=`")]
    [InlineData(@"(a)\1", @"invalid escape sequence: `\1`")]
    [InlineData("(.*", "missing closing ): `(.*`")]
    public async Task Label_replace_refuses_what_RE2_refuses_with_prometheus_message_and_the_reason(string pattern, string reason)
    {
        var storage = new InMemoryStorage();
        storage.Append(Labels.Of("__name__", "m", "src", "ab"), 0, 1);
        var engine = new QueryEngine(storage);
        var e = await Assert.ThrowsAsync<QueryException>(() => engine.InstantAsync($"label_replace(m, \"dst\", \"$1\", \"src\", `{pattern}`)", 0));
        Assert.Equal($"invalid regular expression in label_replace(): {pattern} (error parsing regexp: {reason})", e.Message);
    }

    [Fact]
    public async Task A_script_expecting_a_regex_error_matches_it_with_an_RE2_pattern()
    {
        const string Script = """
            load 1m
              m{v="a"} 1

            eval instant at 0 m{v=~"a(?=b)"}
              expect fail regex: unsupported Perl syntax: `\(\?=`$

            eval instant at 0 m{v=~"a(?=b)"}
              expect fail regex: (?=x)
            """;
        var result = await ScriptRunner.RunAsync(Script, "fail.test");
        Assert.Equal(1, result.Passed);
        var failure = Assert.Single(result.Failures);
        // An expected-error pattern RE2 refuses is itself reported, not thrown.
        Assert.Contains("cannot read expected result: error parsing regexp", failure.Diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fault_below_the_engine_fails_the_eval_with_its_message_instead_of_the_run()
    {
        const string Script = """
            load 1m
              m 1

            eval instant at 0 m
              m 1
            """;
        var result = await ScriptRunner.RunAsync(Script, "broken.test", _ => new BrokenSource());
        var failure = Assert.Single(result.Failures);
        Assert.Equal("unexpected InvalidOperationException: the disk is on fire", failure.Diff);
    }

    private sealed class BrokenSource : ISeriesSource
    {
        public SourceInfo Info => SourceInfo.Unbounded;

        public IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
            SourceWarnings warnings, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the disk is on fire");

        public Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
            SourceWarnings warnings, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
            SourceWarnings warnings, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
