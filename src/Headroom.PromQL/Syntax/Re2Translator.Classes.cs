using System.Text;

namespace Headroom.PromQL.Syntax;

internal sealed partial class Re2Translator
{
    // Go's Perl and POSIX classes are ASCII-only, unlike .NET's \d, \w and \s; they are written out as ranges.
    private static readonly (int Lo, int Hi)[] Digit = [('0', '9')];
    private static readonly (int Lo, int Hi)[] Space = [('\t', '\n'), ('\f', '\r'), (' ', ' ')];
    private static readonly (int Lo, int Hi)[] Word = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];

    private static readonly Dictionary<string, (int Lo, int Hi)[]> PosixClasses = new(StringComparer.Ordinal)
    {
        ["alnum"] = [('0', '9'), ('A', 'Z'), ('a', 'z')],
        ["alpha"] = [('A', 'Z'), ('a', 'z')],
        ["ascii"] = [(0, 0x7F)],
        ["blank"] = [('\t', '\t'), (' ', ' ')],
        ["cntrl"] = [(0, 0x1F), (0x7F, 0x7F)],
        ["digit"] = [('0', '9')],
        ["graph"] = [('!', '~')],
        ["lower"] = [('a', 'z')],
        ["print"] = [(' ', '~')],
        ["punct"] = [('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        ["space"] = [('\t', '\r'), (' ', ' ')],
        ["upper"] = [('A', 'Z')],
        ["word"] = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        ["xdigit"] = [('0', '9'), ('A', 'F'), ('a', 'f')],
    };

    /// <summary>
    /// The Unicode general categories Go's <c>unicode.Categories</c> has; .NET knows them by the same names. (Go's
    /// <c>C</c> leaves out unassigned code points, .NET's includes them; no label value holds one.)
    /// </summary>
    private static readonly HashSet<string> Categories = new(StringComparer.Ordinal)
    {
        "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No",
        "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
    };

    /// <summary>Go's <c>parseClass</c>: a bracketed class starting at the current <c>[</c>, written as a .NET class.</summary>
    private string ParseClass(Flags flags)
    {
        var start = _i;
        var whole = _p[start..];
        var j = _i + 1;
        var negated = false;
        if (j < _p.Length && _p[j] == '^')
        {
            negated = true;
            j++;
        }
        var items = new StringBuilder();
        var first = true;
        while (j >= _p.Length || _p[j] != ']' || first)
        {
            first = false;
            if (_p.Length - j > 2 && _p[j] == '[' && _p[j + 1] == ':')
            {
                var close = _p.IndexOf(":]", j + 2, StringComparison.Ordinal);
                if (close >= 0)
                {
                    var name = _p[j..(close + 2)];
                    var inner = name[2..^2];
                    var negatedGroup = inner.StartsWith('^');
                    if (!PosixClasses.TryGetValue(negatedGroup ? inner[1..] : inner, out var ranges))
                    {
                        throw Error(ErrInvalidCharRange, name);
                    }
                    AppendRanges(items, ranges, negatedGroup);
                    j = close + 2;
                    continue;
                }
            }
            if (_p.Length - j >= 2 && _p[j] == '\\' && _p[j + 1] is 'p' or 'P')
            {
                ParseUnicodeClass(ref j, items);
                continue;
            }
            if (_p.Length - j >= 2 && _p[j] == '\\' && _p[j + 1] is 'd' or 'D' or 's' or 'S' or 'w' or 'W')
            {
                AppendPerlClass(_p[j + 1], items);
                j += 2;
                continue;
            }
            var rangeStart = j;
            var lo = ParseClassChar(ref j, whole);
            var hi = lo;
            if (_p.Length - j >= 2 && _p[j] == '-' && _p[j + 1] != ']')
            {
                j++;
                hi = ParseClassChar(ref j, whole);
                if (hi < lo)
                {
                    throw Error(ErrInvalidCharRange, rangeStart, j);
                }
            }
            if (lo > 0xFFFF)
            {
                throw Error("characters beyond U+FFFF in a character class are not supported by Headroom", rangeStart, j);
            }
            AppendRanges(items, [(lo, Math.Min(hi, 0xFFFF))], negate: false);
        }
        _i = j + 1;
        return Class(items, negated, flags);
    }

    private int ParseClassChar(ref int j, string wholeClass)
    {
        if (j >= _p.Length)
        {
            throw Error(ErrMissingBracket, wholeClass);
        }
        return _p[j] == '\\' ? ParseEscape(ref j) : NextCodePoint(ref j);
    }

    /// <summary>Go's <c>parseUnicodeClass</c>: <c>\pL</c>, <c>\p{Lu}</c>, <c>\PN</c>, <c>\p{^L}</c> at <paramref name="j"/>.</summary>
    private void ParseUnicodeClass(ref int j, StringBuilder items)
    {
        var start = j;
        var negate = _p[j + 1] == 'P';
        var k = j + 2;
        string sequence, name;
        if (k < _p.Length && _p[k] == '{')
        {
            var close = _p.IndexOf('}', start);
            if (close < 0)
            {
                throw Error(ErrInvalidCharRange, _p[start..]);
            }
            sequence = _p[start..(close + 1)];
            name = _p[(start + 3)..close];
            j = close + 1;
        }
        else
        {
            if (k < _p.Length)
            {
                NextCodePoint(ref k);
            }
            sequence = _p[start..k];
            name = sequence[2..];
            j = k;
        }
        if (name.StartsWith('^'))
        {
            negate = !negate;
            name = name[1..];
        }
        if (name == "Any")
        {
            // Everything, or (negated) nothing: an empty contribution to the class.
            if (!negate)
            {
                items.Append(@"\u0000-\uFFFF");
            }
            return;
        }
        if (!Categories.Contains(name))
        {
            throw Error("unknown or unsupported Unicode class (Headroom knows general categories such as \\p{L}, \\p{Lu} and \\p{Nd}, not scripts)", sequence);
        }
        items.Append(negate ? @"\P{" : @"\p{").Append(name).Append('}');
    }

    private static void AppendPerlClass(char letter, StringBuilder items)
    {
        var ranges = char.ToLowerInvariant(letter) switch
        {
            'd' => Digit,
            's' => Space,
            _ => Word,
        };
        AppendRanges(items, ranges, negate: char.IsUpper(letter));
    }

    /// <summary>Appends sorted, disjoint <paramref name="ranges"/>, or their complement within U+0000–U+FFFF, as class items.</summary>
    private static void AppendRanges(StringBuilder items, (int Lo, int Hi)[] ranges, bool negate)
    {
        if (!negate)
        {
            foreach (var (lo, hi) in ranges)
            {
                AppendRange(items, lo, hi);
            }
            return;
        }
        var next = 0;
        foreach (var (lo, hi) in ranges)
        {
            if (lo > next)
            {
                AppendRange(items, next, lo - 1);
            }
            next = hi + 1;
        }
        if (next <= 0xFFFF)
        {
            AppendRange(items, next, 0xFFFF);
        }
    }

    private static void AppendRange(StringBuilder items, int lo, int hi)
    {
        items.Append(Escape((char)lo));
        if (hi != lo)
        {
            items.Append('-').Append(Escape((char)hi));
        }
    }

    /// <summary>A .NET class of <paramref name="items"/>; an empty set of items, which .NET cannot write, matches nothing.</summary>
    private static string Class(StringBuilder items, bool negated, Flags flags)
    {
        var text = items.Length == 0
            ? (negated ? @"[\u0000-\uFFFF]" : @"[^\u0000-\uFFFF]")
            : (negated ? "[^" : "[") + items + "]";
        return flags.HasFlag(Flags.FoldCase) ? "(?i:" + text + ")" : text;
    }
}
