using System.Text.RegularExpressions;

namespace Headroom.PromQL.Syntax;

/// <summary>
/// A regular expression as PromQL reads it: RE2 syntax (<see cref="Re2Translator"/>), run by .NET's NonBacktracking
/// engine. That engine is linear in the input, so a hostile pattern such as <c>(a+)+b</c> costs what a plain one costs
/// and needs no timeout; it also refuses backreferences and lookarounds, which RE2 does not have either.
/// </summary>
internal sealed class PromRegex
{
    private readonly Re2Translation _translation;

    private PromRegex(Re2Translation translation, Regex regex)
    {
        _translation = translation;
        Regex = regex;
    }

    /// <summary>The compiled .NET expression.</summary>
    public Regex Regex { get; }

    /// <summary>Capturing groups, not counting the whole match.</summary>
    public int GroupCount => _translation.GroupCount;

    /// <summary>
    /// Compiles a fully anchored expression where <c>.</c> also matches a newline: Prometheus' label matchers read
    /// <c>^(?s:…)$</c>, and so does <c>label_replace</c>. Throws <see cref="RegexSyntaxException"/>.
    /// </summary>
    public static PromRegex Anchored(string pattern) => Compile(pattern, anchored: true, dotMatchesNewline: true);

    /// <summary>Compiles an unanchored expression with Go's default flags, which finds a match anywhere in the input.</summary>
    public static PromRegex Unanchored(string pattern) => Compile(pattern, anchored: false, dotMatchesNewline: false);

    private static PromRegex Compile(string pattern, bool anchored, bool dotMatchesNewline)
    {
        var translation = Re2Translator.Translate(pattern, dotMatchesNewline);
        var text = anchored ? @"\A(?:" + translation.Pattern + @")\z" : translation.Pattern;
        Regex regex;
        try
        {
            regex = new Regex(text, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (NotSupportedException)
        {
            // NonBacktracking caps the size of its automaton (e.g. x{1000}{1000}-like patterns that Go also refuses,
            // or very long alternations); Go has its own cap with this message.
            throw new RegexSyntaxException(Re2Translator.ErrLarge, pattern);
        }
        catch (ArgumentException e)
        {
            // The translation is meant to be valid .NET for every RE2 input; should one slip through, say so rather
            // than crash.
            throw new RegexSyntaxException($"not supported by Headroom ({e.Message})", pattern);
        }
        return new PromRegex(translation, regex);
    }

    /// <summary>Whether <paramref name="input"/> matches.</summary>
    public bool IsMatch(string input) => Regex.IsMatch(input);

    /// <summary>The first match in <paramref name="input"/>.</summary>
    public Match Match(string input) => Regex.Match(input);

    /// <summary>
    /// The group a template names as Go's <c>Regexp.Expand</c> reads it: a number (without leading zeros) is a group
    /// number, anything else a name, and of several groups with one name the first that took part in the match.
    /// Null when there is no such group or it did not take part.
    /// </summary>
    public Group? Group(Match match, string name)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length > 0 && name.All(char.IsAsciiDigit) && (name[0] != '0' || name.Length == 1))
        {
            // Go stops counting at 1e8; a number that long names no group either way.
            if (name.Length > 9 || int.Parse(name, System.Globalization.CultureInfo.InvariantCulture) > GroupCount)
            {
                return null;
            }
            var group = match.Groups[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)];
            return group.Success ? group : null;
        }
        if (_translation.Names.TryGetValue(name, out var numbers))
        {
            foreach (var number in numbers)
            {
                if (match.Groups[number].Success)
                {
                    return match.Groups[number];
                }
            }
        }
        return null;
    }
}
