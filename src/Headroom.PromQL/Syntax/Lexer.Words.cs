using System.Collections.Frozen;

namespace Headroom.PromQL.Syntax;

internal sealed partial class Lexer
{
    private static readonly FrozenDictionary<string, TokenKind> Keywords = new Dictionary<string, TokenKind>
    {
        ["and"] = TokenKind.And,
        ["or"] = TokenKind.Or,
        ["unless"] = TokenKind.Unless,
        ["atan2"] = TokenKind.Atan2,
        ["sum"] = TokenKind.Sum,
        ["avg"] = TokenKind.Avg,
        ["count"] = TokenKind.Count,
        ["min"] = TokenKind.Min,
        ["max"] = TokenKind.Max,
        ["group"] = TokenKind.Group,
        ["stddev"] = TokenKind.Stddev,
        ["stdvar"] = TokenKind.Stdvar,
        ["topk"] = TokenKind.Topk,
        ["bottomk"] = TokenKind.Bottomk,
        ["count_values"] = TokenKind.CountValues,
        ["quantile"] = TokenKind.Quantile,
        ["limitk"] = TokenKind.Limitk,
        ["limit_ratio"] = TokenKind.LimitRatio,
        ["offset"] = TokenKind.Offset,
        ["by"] = TokenKind.By,
        ["without"] = TokenKind.Without,
        ["on"] = TokenKind.On,
        ["ignoring"] = TokenKind.Ignoring,
        ["group_left"] = TokenKind.GroupLeft,
        ["group_right"] = TokenKind.GroupRight,
        ["bool"] = TokenKind.Bool,
        ["start"] = TokenKind.Start,
        ["end"] = TokenKind.End,
        ["step"] = TokenKind.Step,
        ["range"] = TokenKind.Range,
        ["smoothed"] = TokenKind.Smoothed,
        ["anchored"] = TokenKind.Anchored,
        ["fill"] = TokenKind.Fill,
        ["fill_left"] = TokenKind.FillLeft,
        ["fill_right"] = TokenKind.FillRight,
        ["inf"] = TokenKind.Number,
        ["nan"] = TokenKind.Number,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, TokenKind>.AlternateLookup<ReadOnlySpan<char>> KeywordLookup =
        Keywords.GetAlternateLookup<ReadOnlySpan<char>>();


    /// <summary>True if <paramref name="word"/> is a PromQL keyword, operator word, aggregator, Inf or NaN.</summary>
    public static bool IsReservedWord(ReadOnlySpan<char> word) => KeywordLookup.ContainsKey(word);

    /// <summary>
    /// True if <paramref name="word"/> reads back as a metric name when written bare where an expression starts:
    /// an identifier, or a keyword the grammar also accepts as a metric name (<c>sum</c>, <c>offset</c>, ...).
    /// </summary>
    public static bool CanBeBareMetricName(ReadOnlySpan<char> word) =>
        !KeywordLookup.TryGetValue(word, out var kind)
        || kind is TokenKind.Fill or TokenKind.FillLeft or TokenKind.FillRight
        || Parser.CanNameMetric(kind);

    private Token ScanWord(int start)
    {
        // Inside brackets ':' separates range and step, so it cannot be part of a name there.
        while (_pos < input.Length && (IsAlphaNumeric(input[_pos]) || (input[_pos] == ':' && !_bracketOpen)))
        {
            _pos++;
        }
        var word = input.AsSpan(start, _pos - start);
        if (KeywordLookup.TryGetValue(word, out var kind))
        {
            // fill, fill_left and fill_right are modifiers only before '('; otherwise they name metrics.
            if (kind is not (TokenKind.Fill or TokenKind.FillLeft or TokenKind.FillRight) || NextNonSpaceIs('('))
            {
                return Emit(kind, start);
            }
        }
        return Emit(word.Contains(':') ? TokenKind.MetricIdentifier : TokenKind.Identifier, start);
    }

    private bool NextNonSpaceIs(char expected)
    {
        for (var i = _pos; i < input.Length; i++)
        {
            if (input[i] is not (' ' or '\t' or '\n' or '\r'))
            {
                return input[i] == expected;
            }
        }
        return false;
    }

    private Token ScanString(int start, char quote)
    {
        while (_pos < input.Length)
        {
            var c = input[_pos++];
            if (c == '\\')
            {
                if (_pos < input.Length && input[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else if (c == '\n')
            {
                break;
            }
            else if (c == quote)
            {
                return Emit(TokenKind.String, start);
            }
        }
        return Error(start, "unterminated quoted string");
    }

    private Token ScanRawString(int start)
    {
        var end = input.IndexOf('`', _pos);
        if (end < 0)
        {
            _pos = input.Length;
            return Error(start, "unterminated raw string");
        }
        _pos = end + 1;
        return Emit(TokenKind.String, start);
    }
}
