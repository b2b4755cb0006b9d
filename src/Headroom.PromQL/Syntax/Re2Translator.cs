using System.Text;

namespace Headroom.PromQL.Syntax;

/// <summary>
/// Reads a regular expression in RE2 syntax the way Go's <c>regexp/syntax</c> does with its Perl flags (what Prometheus
/// uses), refuses what Go refuses with Go's message, and writes the same expression for .NET's NonBacktracking engine.
/// </summary>
/// <remarks>
/// Translating rather than handing the text to .NET is what keeps PromQL's regular expressions RE2: .NET accepts
/// backreferences, lookarounds, atomic groups, possessive quantifiers and conditionals that Go refuses, and reads some
/// shared syntax differently: <c>\d</c>, <c>\w</c> and <c>\s</c> are Unicode-wide, <c>$</c> also matches before a final
/// newline, <c>\Q…\E</c>, <c>\x{…}</c>, <c>\pL</c> and <c>(?U)</c> do not exist, and named groups are numbered after the
/// unnamed ones (Go numbers all groups left to right, which <c>label_replace</c>'s <c>$1</c> depends on). So every
/// construct is written out explicitly: ASCII classes as ranges, anchors as <c>\A</c>/<c>\z</c>, every capturing group
/// as <c>(?&lt;n&gt;…)</c> with Go's number n, case folding as <c>(?i:…)</c> around each atom it covers.
/// Known differences that remain: .NET matches UTF-16 code units, so <c>.</c> and negated classes see a character
/// beyond U+FFFF as two, and classes cannot name such characters; <c>\b</c> uses Unicode word characters; Unicode
/// scripts such as <c>\p{Greek}</c> are refused because .NET only knows blocks, which are different sets.
/// </remarks>
internal sealed partial class Re2Translator
{
    // Go's regexp/syntax error codes, word for word.
    internal const string ErrInvalidCharRange = "invalid character class range";
    internal const string ErrInvalidEscape = "invalid escape sequence";
    internal const string ErrInvalidNamedCapture = "invalid named capture";
    internal const string ErrInvalidPerlOp = "invalid or unsupported Perl syntax";
    internal const string ErrInvalidRepeatOp = "invalid nested repetition operator";
    internal const string ErrInvalidRepeatSize = "invalid repeat count";
    internal const string ErrMissingBracket = "missing closing ]";
    internal const string ErrMissingParen = "missing closing )";
    internal const string ErrMissingRepeatArgument = "missing argument to repetition operator";
    internal const string ErrTrailingBackslash = "trailing backslash at end of expression";
    internal const string ErrUnexpectedParen = "unexpected )";
    internal const string ErrNestingDepth = "expression nests too deeply";
    internal const string ErrLarge = "expression too large";

    /// <summary>Go refuses counted repetitions above 1000, and nested ones whose product is above 1000.</summary>
    private const int MaxRepeat = 1000;

    /// <summary>Go's limit on the height of the parse tree; here it also keeps the recursion off the end of the stack.</summary>
    private const int MaxDepth = 1000;

    [Flags]
    private enum Flags
    {
        None = 0,
        FoldCase = 1,
        DotNewline = 2,
        MultiLine = 4,
        NonGreedy = 8,
    }

    /// <summary>Translated text and the largest product of counted repetitions on any path inside it.</summary>
    private readonly record struct Fragment(string Text, int Weight);

    private readonly string _p;
    private readonly Dictionary<string, List<int>> _names = new(StringComparer.Ordinal);
    private int _i;
    private int _groups;

    private Re2Translator(string pattern) => _p = pattern;

    /// <summary>
    /// Translates <paramref name="pattern"/>; <paramref name="dotMatchesNewline"/> starts with the <c>s</c> flag set,
    /// as Prometheus' label matchers and <c>label_replace</c> do. Throws <see cref="RegexSyntaxException"/>.
    /// </summary>
    public static Re2Translation Translate(string pattern, bool dotMatchesNewline)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var translator = new Re2Translator(pattern);
        var body = translator.ParseAlternation(dotMatchesNewline ? Flags.DotNewline : Flags.None, depth: 0, inGroup: false);
        return new Re2Translation(body.Text, translator._groups, translator._names);
    }

    private RegexSyntaxException Error(string code, string expression) => new(code, expression);

    private RegexSyntaxException Error(string code, int start, int end) => new(code, _p[start..end]);

    /// <summary>Reads alternatives up to the end of the text or, in a group, its closing parenthesis (consumed).</summary>
    private Fragment ParseAlternation(Flags flags, int depth, bool inGroup)
    {
        if (depth > MaxDepth)
        {
            throw Error(ErrNestingDepth, _p);
        }
        var text = new StringBuilder();
        var weight = 1;
        var atoms = new List<Fragment>();
        // Where the previous repetition operator began, or -1: Go refuses a repetition of a repetition (a**, a++).
        var lastRepeat = -1;
        while (true)
        {
            if (_i == _p.Length)
            {
                if (inGroup)
                {
                    throw Error(ErrMissingParen, _p);
                }
                break;
            }
            var start = _i;
            var repeat = -1;
            var c = _p[_i];
            if (c == ')')
            {
                if (!inGroup)
                {
                    throw Error(ErrUnexpectedParen, _p);
                }
                _i++;
                break;
            }
            switch (c)
            {
                case '|':
                    _i++;
                    Concatenate(text, atoms, ref weight);
                    text.Append('|');
                    break;
                case '(':
                    ParseGroup(ref flags, depth, atoms);
                    break;
                case '*' or '+' or '?':
                    _i++;
                    Repeat(atoms, flags, c == '*' ? 0 : c == '+' ? 1 : 0, c == '?' ? 1 : -1, counted: false, start, lastRepeat);
                    repeat = start;
                    break;
                case '{' when TryParseRepeat(out var min, out var max, out var end):
                    _i = end;
                    if (min < 0 || min > MaxRepeat || max > MaxRepeat || (max >= 0 && min > max))
                    {
                        throw Error(ErrInvalidRepeatSize, start, end);
                    }
                    Repeat(atoms, flags, min, max, counted: true, start, lastRepeat);
                    repeat = start;
                    break;
                case '^':
                    _i++;
                    atoms.Add(new(flags.HasFlag(Flags.MultiLine) ? "(?m:^)" : @"\A", 1));
                    break;
                case '$':
                    _i++;
                    atoms.Add(new(flags.HasFlag(Flags.MultiLine) ? "(?m:$)" : @"\z", 1));
                    break;
                case '.':
                    _i++;
                    atoms.Add(new(flags.HasFlag(Flags.DotNewline) ? @"[\u0000-\uFFFF]" : @"[^\n]", 1));
                    break;
                case '[':
                    atoms.Add(new(ParseClass(flags), 1));
                    break;
                case '\\':
                    ParseEscapeAtom(flags, atoms);
                    break;
                default:
                    atoms.Add(new(Literal(NextCodePoint(ref _i), flags), 1));
                    break;
            }
            lastRepeat = repeat;
        }
        Concatenate(text, atoms, ref weight);
        return new Fragment(text.ToString(), weight);
    }

    private static void Concatenate(StringBuilder text, List<Fragment> atoms, ref int weight)
    {
        foreach (var atom in atoms)
        {
            text.Append(atom.Text);
            weight = Math.Max(weight, atom.Weight);
        }
        atoms.Clear();
    }

    /// <summary>Applies a repetition operator (already consumed from <c>start</c>) to the last atom, as Go's <c>parser.repeat</c>.</summary>
    private void Repeat(List<Fragment> atoms, Flags flags, int min, int max, bool counted, int start, int lastRepeat)
    {
        var lazy = flags.HasFlag(Flags.NonGreedy);
        if (_i < _p.Length && _p[_i] == '?')
        {
            _i++;
            lazy = !lazy;
        }
        if (lastRepeat >= 0)
        {
            throw Error(ErrInvalidRepeatOp, lastRepeat, _i);
        }
        if (atoms.Count == 0)
        {
            throw Error(ErrMissingRepeatArgument, start, _i);
        }
        var atom = atoms[^1];
        var weight = atom.Weight;
        string quantifier;
        if (counted)
        {
            // Go's repeatIsValid: a count of zero hides what it repeats; otherwise counts multiply down the tree.
            var count = max < 0 ? min : max;
            weight = max == 0 ? 1 : Math.Max(count, 1) * atom.Weight;
            if ((min >= 2 || max >= 2) && weight > MaxRepeat)
            {
                throw Error(ErrInvalidRepeatSize, start, _i);
            }
            quantifier = max < 0 ? $"{{{min},}}" : max == min ? $"{{{min}}}" : $"{{{min},{max}}}";
        }
        else
        {
            quantifier = min == 1 ? "+" : max == 1 ? "?" : "*";
        }
        atoms[^1] = new Fragment("(?:" + atom.Text + ")" + quantifier + (lazy ? "?" : ""), weight);
    }

    /// <summary>Go's <c>parseRepeat</c>: <c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c>; false when the brace is a literal.</summary>
    private bool TryParseRepeat(out int min, out int max, out int end)
    {
        max = 0;
        end = 0;
        var j = _i + 1;
        if (!TryParseInt(ref j, out min) || j >= _p.Length)
        {
            return false;
        }
        if (_p[j] != ',')
        {
            max = min;
        }
        else
        {
            j++;
            if (j >= _p.Length)
            {
                return false;
            }
            if (_p[j] == '}')
            {
                max = -1;
            }
            else if (!TryParseInt(ref j, out max))
            {
                return false;
            }
            else if (max < 0)
            {
                min = -1;
            }
        }
        if (j >= _p.Length || _p[j] != '}')
        {
            return false;
        }
        end = j + 1;
        return true;
    }

    /// <summary>A decimal without leading zeros; -1 for a number too large to be a count.</summary>
    private bool TryParseInt(ref int j, out int value)
    {
        value = 0;
        if (j >= _p.Length || !char.IsAsciiDigit(_p[j]) || (_p[j] == '0' && j + 1 < _p.Length && char.IsAsciiDigit(_p[j + 1])))
        {
            return false;
        }
        for (; j < _p.Length && char.IsAsciiDigit(_p[j]); j++)
        {
            if (value >= 100_000_000)
            {
                value = -1;
            }
            else if (value >= 0)
            {
                value = (value * 10) + (_p[j] - '0');
            }
        }
        return true;
    }

    /// <summary>A group, a flag group such as <c>(?i:…)</c>, or flags for the rest of the enclosing group such as <c>(?i)</c>.</summary>
    private void ParseGroup(ref Flags flags, int depth, List<Fragment> atoms)
    {
        var start = _i;
        if (_i + 1 < _p.Length && _p[_i + 1] == '?')
        {
            var rest = _p.Length - _i;
            var withP = rest > 4 && _p[_i + 2] == 'P' && _p[_i + 3] == '<';
            var withName = rest > 3 && _p[_i + 2] == '<';
            if (withP || withName)
            {
                // Lookbehinds, (?<=…) and (?<!…), land here too and fail as Go fails them: as a bad name.
                var close = _p.IndexOf('>', _i);
                if (close < 0)
                {
                    throw Error(ErrInvalidNamedCapture, _p[start..]);
                }
                var name = _p[(_i + (withP ? 4 : 3))..close];
                if (name.Length == 0 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
                {
                    throw Error(ErrInvalidNamedCapture, start, close + 1);
                }
                _i = close + 1;
                var number = ++_groups;
                if (!_names.TryGetValue(name, out var numbers))
                {
                    _names[name] = numbers = [];
                }
                numbers.Add(number);
                var named = ParseAlternation(flags, depth + 1, inGroup: true);
                atoms.Add(new($"(?<{number}>{named.Text})", named.Weight));
                return;
            }
            var changed = flags;
            var negate = false;
            var sawFlag = false;
            _i += 2;
            while (_i < _p.Length)
            {
                var c = NextCodePoint(ref _i);
                Flags flag;
                switch (c)
                {
                    case 'i':
                        flag = Flags.FoldCase;
                        break;
                    case 'm':
                        flag = Flags.MultiLine;
                        break;
                    case 's':
                        flag = Flags.DotNewline;
                        break;
                    case 'U':
                        flag = Flags.NonGreedy;
                        break;
                    case '-' when !negate:
                        negate = true;
                        sawFlag = false;
                        continue;
                    case ':' or ')' when !negate || sawFlag:
                        if (c == ')')
                        {
                            flags = changed;
                            return;
                        }
                        var inner = ParseAlternation(changed, depth + 1, inGroup: true);
                        atoms.Add(new("(?:" + inner.Text + ")", inner.Weight));
                        return;
                    default:
                        throw Error(ErrInvalidPerlOp, start, _i);
                }
                changed = negate ? changed & ~flag : changed | flag;
                sawFlag = true;
            }
            throw Error(ErrInvalidPerlOp, start, _i);
        }
        _i++;
        var group = ++_groups;
        var body = ParseAlternation(flags, depth + 1, inGroup: true);
        atoms.Add(new($"(?<{group}>{body.Text})", body.Weight));
    }

    /// <summary>A backslash outside a class: an assertion, <c>\Q…\E</c>, a class, or one escaped character.</summary>
    private void ParseEscapeAtom(Flags flags, List<Fragment> atoms)
    {
        if (_i + 1 < _p.Length)
        {
            switch (_p[_i + 1])
            {
                case 'A':
                    _i += 2;
                    atoms.Add(new(@"\A", 1));
                    return;
                case 'z':
                    _i += 2;
                    atoms.Add(new(@"\z", 1));
                    return;
                case 'b':
                    _i += 2;
                    atoms.Add(new(@"\b", 1));
                    return;
                case 'B':
                    _i += 2;
                    atoms.Add(new(@"\B", 1));
                    return;
                case 'C':
                    throw Error(ErrInvalidEscape, _i, _i + 2);
                case 'Q':
                    var end = _p.IndexOf(@"\E", _i + 2, StringComparison.Ordinal);
                    var literalEnd = end < 0 ? _p.Length : end;
                    _i += 2;
                    while (_i < literalEnd)
                    {
                        atoms.Add(new(Literal(NextCodePoint(ref _i), flags), 1));
                    }
                    _i = end < 0 ? _p.Length : end + 2;
                    return;
                case 'p' or 'P':
                    var items = new StringBuilder();
                    ParseUnicodeClass(ref _i, items);
                    atoms.Add(new(Class(items, negated: false, flags), 1));
                    return;
                case 'd' or 'D' or 's' or 'S' or 'w' or 'W':
                    var perl = new StringBuilder();
                    AppendPerlClass(_p[_i + 1], perl);
                    _i += 2;
                    atoms.Add(new(Class(perl, negated: false, flags), 1));
                    return;
            }
        }
        atoms.Add(new(Literal(ParseEscape(ref _i), flags), 1));
    }

    /// <summary>Go's <c>parseEscape</c>: one escaped character at <paramref name="j"/> (a backslash), as a code point.</summary>
    private int ParseEscape(ref int j)
    {
        var start = j;
        j++;
        if (j >= _p.Length)
        {
            throw Error(ErrTrailingBackslash, "");
        }
        var c = NextCodePoint(ref j);
        switch (c)
        {
            case < 0x80 when !char.IsAsciiLetterOrDigit((char)c):
                return c;
            case >= '1' and <= '7' when j >= _p.Length || _p[j] is < '0' or > '7':
                // A lone digit is a backreference, which RE2 does not have.
                break;
            case >= '0' and <= '7':
                var value = c - '0';
                for (var n = 1; n < 3 && j < _p.Length && _p[j] is >= '0' and <= '7'; n++, j++)
                {
                    value = (value * 8) + (_p[j] - '0');
                }
                return value;
            case 'x':
                if (j >= _p.Length)
                {
                    break;
                }
                var first = NextCodePoint(ref j);
                if (first == '{')
                {
                    var digits = 0;
                    var code = 0;
                    while (j < _p.Length)
                    {
                        var d = NextCodePoint(ref j);
                        if (d == '}')
                        {
                            if (digits == 0)
                            {
                                break;
                            }
                            return code;
                        }
                        var v = HexValue(d);
                        code = v < 0 ? -1 : (code * 16) + v;
                        if (v < 0 || code > 0x10FFFF)
                        {
                            break;
                        }
                        digits++;
                    }
                    break;
                }
                var second = j < _p.Length ? NextCodePoint(ref j) : -1;
                if (HexValue(first) < 0 || HexValue(second) < 0)
                {
                    break;
                }
                return (HexValue(first) * 16) + HexValue(second);
            case 'a':
                return '\a';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'v':
                return '\v';
        }
        throw Error(ErrInvalidEscape, start, j);
    }

    private static int HexValue(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>The code point at <paramref name="j"/> (a surrogate pair counts as one), moving past it.</summary>
    private int NextCodePoint(ref int j)
    {
        if (char.IsHighSurrogate(_p[j]) && j + 1 < _p.Length && char.IsLowSurrogate(_p[j + 1]))
        {
            j += 2;
            return char.ConvertToUtf32(_p[j - 2], _p[j - 1]);
        }
        return _p[j++];
    }

    /// <summary>One character as a .NET pattern matches it literally; letters under <c>(?i)</c> fold.</summary>
    private static string Literal(int codePoint, Flags flags)
    {
        string text;
        if (codePoint > 0xFFFF)
        {
            var pair = char.ConvertFromUtf32(codePoint);
            text = Escape(pair[0]) + Escape(pair[1]);
        }
        else
        {
            text = Escape((char)codePoint);
        }
        return flags.HasFlag(Flags.FoldCase) && codePoint <= 0xFFFF && char.IsLetter((char)codePoint) ? "(?i:" + text + ")" : text;
    }

    /// <summary>Letters and digits as themselves, anything else as <c>\uXXXX</c>, which means the same in and out of classes.</summary>
    private static string Escape(char c) => char.IsAsciiLetterOrDigit(c) ? c.ToString() : $"\\u{(int)c:X4}";
}

/// <summary>An RE2 expression written for .NET: the pattern, how many capturing groups it has, and their names.</summary>
/// <param name="Pattern">The .NET pattern; capturing group n is written <c>(?&lt;n&gt;…)</c>, numbered as Go numbers it.</param>
/// <param name="GroupCount">Capturing groups, not counting the whole match.</param>
/// <param name="Names">Each group name with the numbers of the groups that carry it, in order.</param>
internal sealed record Re2Translation(string Pattern, int GroupCount, IReadOnlyDictionary<string, List<int>> Names);
