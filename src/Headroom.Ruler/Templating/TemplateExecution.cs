using System.Text;
using Headroom.PromQL;

namespace Headroom.Ruler.Templating;

/// <summary>Expands parsed nodes over one alert's data.</summary>
internal sealed class TemplateExecution(TemplateData data, StringBuilder output)
{
    public void Run(IReadOnlyList<TemplateNode> nodes)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    output.Append(text.Text);
                    break;
                case ActionNode action:
                    output.Append(Print(Evaluate(action.Pipeline)));
                    break;
                case IfNode conditional:
                    Run(IsTrue(Evaluate(conditional.Condition)) ? conditional.Then : conditional.Else);
                    break;
            }
        }
    }

    /// <summary>A value as Go's <c>fmt.Print</c> writes it.</summary>
    public static string Print(object? value) => value switch
    {
        null => "<no value>",
        string s => s,
        double d => GoFormat.Value(d),
        bool b => b ? "true" : "false",
        Labels labels => "map[" + string.Join(' ', labels.Select(static l => l.Name + ":" + l.Value)) + "]",
        _ => value.ToString() ?? "",
    };

    /// <summary>Go's truth: false, 0, "", nil and empty maps are false.</summary>
    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        double d => d != 0,
        string s => s.Length > 0,
        Labels l => l.Count > 0,
        _ => true,
    };

    private object? Evaluate(Pipeline pipeline)
    {
        object? piped = null;
        var first = true;
        foreach (var command in pipeline.Commands)
        {
            piped = Evaluate(command, first ? null : new Box(piped));
            first = false;
        }
        return piped;
    }

    private sealed record Box(object? Value);

    private object? Evaluate(Command command, Box? piped)
    {
        if (command.Operands[0] is FunctionOperand function)
        {
            var arguments = new List<object?>();
            foreach (var operand in command.Operands.Skip(1))
                arguments.Add(Value(operand));
            if (piped is not null)
                arguments.Add(piped.Value);
            return TemplateFunctions.Call(function.Name, arguments);
        }
        if (piped is not null)
            throw new TemplateException("can't pipe a value into a non-function");
        return Value(command.Operands[0]);
    }

    private object? Value(Operand operand) => operand switch
    {
        LiteralOperand literal => literal.Value,
        PipelineOperand inner => Evaluate(inner.Pipeline),
        FunctionOperand function => TemplateFunctions.Call(function.Name, []),
        VariableOperand variable => Fields(variable.Name switch
        {
            "$labels" => data.Labels,
            "$value" => data.Value,
            "$externalLabels" => data.ExternalLabels,
            "$externalURL" => data.ExternalUrl,
            _ => data,
        }, variable.Fields, variable.Name),
        DotOperand dot => Fields(data, dot.Fields, "."),
        _ => throw new TemplateException($"cannot evaluate {operand}"),
    };

    private static object? Fields(object? value, IReadOnlyList<string> fields, string where)
    {
        foreach (var field in fields)
        {
            value = value switch
            {
                // Prometheus runs templates with missingkey=zero: an absent label reads as "".
                Labels labels => labels.Get(field),
                TemplateData d => field switch
                {
                    "Labels" => d.Labels,
                    "Value" => d.Value,
                    "ExternalLabels" => d.ExternalLabels,
                    "ExternalURL" => d.ExternalUrl,
                    _ => throw new TemplateException($"can't evaluate field {field} of the alert's data; it has Labels, Value, ExternalLabels and ExternalURL"),
                },
                _ => throw new TemplateException($"can't evaluate field {field} in {where}: it is not a map"),
            };
            where += "." + field;
        }
        return value;
    }
}
