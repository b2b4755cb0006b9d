namespace Headroom.Ruler.Templating;

/// <summary>A piece of a parsed template.</summary>
internal abstract record TemplateNode;

/// <summary>Text copied as it is.</summary>
internal sealed record TextNode(string Text) : TemplateNode;

/// <summary><c>{{ pipeline }}</c>: the pipeline's value, printed.</summary>
internal sealed record ActionNode(Pipeline Pipeline) : TemplateNode;

/// <summary><c>{{ if pipeline }} … {{ else }} … {{ end }}</c>; <c>else if</c> nests another <see cref="IfNode"/> in <see cref="Else"/>.</summary>
internal sealed record IfNode(Pipeline Condition, IReadOnlyList<TemplateNode> Then, IReadOnlyList<TemplateNode> Else) : TemplateNode;

/// <summary>Commands joined by <c>|</c>: each command's value becomes the last argument of the next.</summary>
internal sealed record Pipeline(IReadOnlyList<Command> Commands);

/// <summary>A function with its arguments, or a single operand.</summary>
internal sealed record Command(IReadOnlyList<Operand> Operands);

/// <summary>An argument: a variable or dot with fields, a literal, a function name, or a parenthesised pipeline.</summary>
internal abstract record Operand;

/// <summary><c>$name.field.field</c>; <c>$</c> alone is the data.</summary>
internal sealed record VariableOperand(string Name, IReadOnlyList<string> Fields) : Operand;

/// <summary><c>.</c> or <c>.Field.field</c>.</summary>
internal sealed record DotOperand(IReadOnlyList<string> Fields) : Operand;

/// <summary>A string, number or boolean literal.</summary>
internal sealed record LiteralOperand(object Value) : Operand;

/// <summary>A function's name.</summary>
internal sealed record FunctionOperand(string Name) : Operand;

/// <summary><c>( pipeline )</c>.</summary>
internal sealed record PipelineOperand(Pipeline Pipeline) : Operand;
