using System.Globalization;
using System.Text;

namespace Headroom.Ruler.Templating;

internal sealed partial class AlertTemplate
{
    private enum TokenKind
    {
        Word,
        Variable,
        Field,
        Dot,
        String,
        Number,
        Pipe,
        Open,
        Close,
    }

    private readonly record struct Token(TokenKind Kind, string Text);

    private static List<Token> Tokenize(string action, int offset)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < action.Length)
        {
            var c = action[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '|')
            {
                tokens.Add(new(TokenKind.Pipe, "|"));
                i++;
            }
            else if (c == '(')
            {
                tokens.Add(new(TokenKind.Open, "("));
                i++;
            }
            else if (c == ')')
            {
                tokens.Add(new(TokenKind.Close, ")"));
                i++;
            }
            else if (c == '"')
            {
                var value = new StringBuilder();
                i++;
                while (i < action.Length && action[i] != '"')
                {
                    if (action[i] == '\\' && i + 1 < action.Length)
                    {
                        i++;
                        value.Append(action[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var e => e });
                    }
                    else
                    {
                        value.Append(action[i]);
                    }
                    i++;
                }
                if (i >= action.Length)
                    throw new TemplateException($"unterminated quoted string at offset {offset}");
                tokens.Add(new(TokenKind.String, value.ToString()));
                i++;
            }
            else if (c == '`')
            {
                var close = action.IndexOf('`', i + 1);
                if (close < 0)
                    throw new TemplateException($"unterminated raw string at offset {offset}");
                tokens.Add(new(TokenKind.String, action[(i + 1)..close]));
                i = close + 1;
            }
            else if (c == '$')
            {
                var start = i++;
                while (i < action.Length && IsWordChar(action[i]))
                    i++;
                tokens.Add(new(TokenKind.Variable, action[start..i]));
            }
            else if (c == '.')
            {
                var start = ++i;
                while (i < action.Length && IsWordChar(action[i]))
                    i++;
                tokens.Add(i == start ? new(TokenKind.Dot, ".") : new(TokenKind.Field, action[start..i]));
            }
            else if (char.IsAsciiDigit(c) || ((c is '-' or '+') && i + 1 < action.Length && (char.IsAsciiDigit(action[i + 1]) || action[i + 1] == '.')))
            {
                var start = i++;
                while (i < action.Length && (char.IsAsciiLetterOrDigit(action[i]) || action[i] is '.' || ((action[i] is '+' or '-') && action[i - 1] is 'e' or 'E')))
                    i++;
                tokens.Add(new(TokenKind.Number, action[start..i]));
            }
            else if (IsWordChar(c))
            {
                var start = i;
                while (i < action.Length && IsWordChar(action[i]))
                    i++;
                tokens.Add(new(TokenKind.Word, action[start..i]));
            }
            else
            {
                throw new TemplateException($"unexpected '{c}' in an action at offset {offset}: '{{{{ {action} }}}}'");
            }
        }
        return tokens;
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>Reads pipelines, commands and operands from an action's tokens, checking names as it goes.</summary>
    private sealed class TokenReader(List<Token> tokens, int start, int offset)
    {
        private int _index = start;

        public Pipeline ReadPipeline(bool endsAtClose)
        {
            var commands = new List<Command>();
            while (true)
            {
                var operands = new List<Operand>();
                while (_index < tokens.Count && tokens[_index].Kind is not (TokenKind.Pipe or TokenKind.Close))
                    operands.Add(ReadOperand());
                if (operands.Count == 0)
                    throw new TemplateException($"missing value for command at offset {offset}");
                if (operands.Count > 1 && operands[0] is not FunctionOperand)
                    throw new TemplateException($"can't give arguments to a non-function at offset {offset}");
                // A command after a pipe gets the value before it as its last argument.
                var piped = commands.Count > 0 ? 1 : 0;
                if (piped == 1 && operands[0] is not FunctionOperand)
                    throw new TemplateException($"can't pipe a value into a non-function at offset {offset}");
                if (operands[0] is FunctionOperand function && TemplateFunctions.CheckArity(function.Name, operands.Count - 1 + piped) is { } wrong)
                    throw new TemplateException($"{wrong} at offset {offset}");
                commands.Add(new Command(operands));
                if (_index < tokens.Count && tokens[_index].Kind == TokenKind.Pipe)
                {
                    _index++;
                    continue;
                }
                break;
            }
            if (_index < tokens.Count && tokens[_index].Kind == TokenKind.Close)
            {
                if (!endsAtClose)
                    throw new TemplateException($"unexpected ')' at offset {offset}");
            }
            else if (endsAtClose)
            {
                throw new TemplateException($"unclosed '(' at offset {offset}");
            }
            return new Pipeline(commands);
        }

        private Operand ReadOperand()
        {
            var token = tokens[_index++];
            switch (token.Kind)
            {
                case TokenKind.Variable:
                    if (!TemplateData.Variables.Contains(token.Text))
                        throw new TemplateException($"undefined variable \"{token.Text}\" at offset {offset}; alert templates have {string.Join(", ", TemplateData.Variables)}");
                    return new VariableOperand(token.Text, ReadFields());
                case TokenKind.Dot:
                    return new DotOperand([]);
                case TokenKind.Field:
                    _index--;
                    return new DotOperand(ReadFields());
                case TokenKind.String:
                    return new LiteralOperand(token.Text);
                case TokenKind.Number:
                    var text = token.Text.Replace("_", "", StringComparison.Ordinal);
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                        throw new TemplateException($"bad number syntax: \"{token.Text}\" at offset {offset}");
                    return new LiteralOperand(number);
                case TokenKind.Open:
                    var inner = ReadPipeline(endsAtClose: true);
                    _index++;
                    return new PipelineOperand(inner);
                case TokenKind.Word when token.Text is "true" or "false":
                    return new LiteralOperand(token.Text == "true");
                case TokenKind.Word:
                    if (!TemplateFunctions.Exists(token.Text))
                    {
                        throw new TemplateException(token.Text == "query"
                            ? $"function \"query\" is not supported at offset {offset}: the ruler's templates cannot run queries"
                            : $"function \"{token.Text}\" not defined (offset {offset}); known: {string.Join(", ", TemplateFunctions.Names)}");
                    }
                    return new FunctionOperand(token.Text);
                default:
                    throw new TemplateException($"unexpected '{token.Text}' at offset {offset}");
            }
        }

        private List<string> ReadFields()
        {
            var fields = new List<string>();
            while (_index < tokens.Count && tokens[_index].Kind == TokenKind.Field)
                fields.Add(tokens[_index++].Text);
            return fields;
        }
    }
}
