using System.Text;

namespace Headroom.Ruler.Templating;

/// <summary>
/// A label or annotation template of an alerting rule, in the part of Go's <c>text/template</c> that Prometheus rule
/// files use: <c>{{ $labels.instance }}</c>, <c>{{ $value | humanize }}</c>, <c>{{ printf "%.2f" $value }}</c>,
/// <c>{{ if gt $value 0.9 }}…{{ else }}…{{ end }}</c>, comments and <c>{{-</c>/<c>-}}</c> trimming. Parsed once
/// at load, when an unknown function or variable is an error, and expanded at each evaluation.
/// </summary>
/// <remarks>
/// Written by hand: no served .NET package reads Go's template syntax, and the subset rule files use is small.
/// <c>range</c>, <c>with</c>, variable declarations and <c>query</c> are not supported and fail at load.
/// </remarks>
internal sealed partial class AlertTemplate
{
    private readonly IReadOnlyList<TemplateNode> _nodes;

    private AlertTemplate(string text, IReadOnlyList<TemplateNode> nodes)
    {
        Text = text;
        _nodes = nodes;
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>True when the text has no action, so expanding it gives the text back.</summary>
    public bool IsPlain => !Text.Contains("{{", StringComparison.Ordinal);

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="TemplateException">It does not parse, or names a function or variable that does not exist.</exception>
    public static AlertTemplate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new TemplateParser(text);
        var nodes = parser.ParseList(out var end);
        if (end is not null)
            throw new TemplateException($"unexpected {{{{{end}}}}} without a matching {{{{if}}}}");
        return new AlertTemplate(text, nodes);
    }

    /// <summary>The text with every action replaced by its value.</summary>
    /// <exception cref="TemplateException">A function failed, e.g. printf's argument is of the wrong kind.</exception>
    public string Expand(TemplateData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (IsPlain)
            return Text;
        var output = new StringBuilder();
        new TemplateExecution(data, output).Run(_nodes);
        return output.ToString();
    }

    /// <summary>Splits the text into text and actions, and actions into tokens.</summary>
    private sealed class TemplateParser(string text)
    {
        private int _position;
        private bool _trimNextText;

        /// <summary>Nodes up to the end of the text or an <c>else</c>/<c>end</c> (returned in <paramref name="terminator"/>).</summary>
        public List<TemplateNode> ParseList(out string? terminator)
        {
            var nodes = new List<TemplateNode>();
            terminator = null;
            while (_position < text.Length)
            {
                var open = text.IndexOf("{{", _position, StringComparison.Ordinal);
                var chunk = open < 0 ? text[_position..] : text[_position..open];
                var trimLeft = open >= 0 && open + 3 < text.Length && text[open + 2] == '-' && char.IsWhiteSpace(text[open + 3]);
                if (_trimNextText)
                    chunk = chunk.TrimStart();
                if (trimLeft)
                    chunk = chunk.TrimEnd();
                _trimNextText = false;
                if (chunk.Length > 0)
                    nodes.Add(new TextNode(chunk));
                if (open < 0)
                {
                    _position = text.Length;
                    break;
                }
                var start = open + (trimLeft ? 3 : 2);
                var close = FindClose(start);
                var inner = text[start..close];
                var trimRight = inner.Length >= 2 && inner[^1] == '-' && char.IsWhiteSpace(inner[^2]);
                if (trimRight)
                    inner = inner[..^1];
                _position = close + 2;
                _trimNextText = trimRight;
                var action = inner.Trim();
                if (action.StartsWith("/*", StringComparison.Ordinal))
                {
                    if (!action.EndsWith("*/", StringComparison.Ordinal))
                        throw new TemplateException($"unclosed comment at offset {open}");
                    continue;
                }
                var tokens = Tokenize(action, open);
                if (tokens.Count == 0)
                    throw new TemplateException($"missing value for command at offset {open}");
                switch (tokens[0])
                {
                    case { Kind: TokenKind.Word, Text: "end" } when tokens.Count == 1:
                        terminator = "end";
                        return nodes;
                    case { Kind: TokenKind.Word, Text: "else" }:
                        if (tokens.Count == 1)
                        {
                            terminator = "else";
                            return nodes;
                        }
                        if (tokens[1] is { Kind: TokenKind.Word, Text: "if" })
                        {
                            terminator = "else if";
                            _elseIf = new TokenReader(tokens, 2, open).ReadPipeline(endsAtClose: false);
                            return nodes;
                        }
                        throw new TemplateException($"unexpected '{tokens[1].Text}' after else at offset {open}");
                    case { Kind: TokenKind.Word, Text: "if" }:
                        nodes.Add(ParseIf(new TokenReader(tokens, 1, open).ReadPipeline(endsAtClose: false), open));
                        break;
                    case { Kind: TokenKind.Word, Text: "range" or "with" or "define" or "template" or "block" or "break" or "continue" }:
                        throw new TemplateException($"'{tokens[0].Text}' is not supported in alert templates (offset {open}); use if/else and functions");
                    default:
                        nodes.Add(new ActionNode(new TokenReader(tokens, 0, open).ReadPipeline(endsAtClose: false)));
                        break;
                }
            }
            return nodes;
        }

        private Pipeline? _elseIf;

        private IfNode ParseIf(Pipeline condition, int offset)
        {
            var then = ParseList(out var terminator);
            IReadOnlyList<TemplateNode> otherwise = [];
            if (terminator == "else")
            {
                otherwise = ParseList(out terminator);
            }
            else if (terminator == "else if")
            {
                var nested = _elseIf!;
                _elseIf = null;
                // An "else if" chain shares the outer if's single {{end}}.
                return new IfNode(condition, then, [ParseIf(nested, offset)]);
            }
            if (terminator != "end")
                throw new TemplateException($"unexpected EOF: the {{{{if}}}} at offset {offset} has no {{{{end}}}}");
            return new IfNode(condition, then, otherwise);
        }

        private int FindClose(int from)
        {
            var quote = '\0';
            for (var i = from; i < text.Length - 1; i++)
            {
                var c = text[i];
                if (quote != '\0')
                {
                    if (c == '\\' && quote == '"')
                        i++;
                    else if (c == quote)
                        quote = '\0';
                }
                else if (c is '"' or '`')
                {
                    quote = c;
                }
                else if (c == '}' && text[i + 1] == '}')
                {
                    return i;
                }
            }
            throw new TemplateException($"unclosed action: '{{{{' at offset {from - 2} has no '}}}}'");
        }
    }
}
