using System.Collections.Frozen;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

/// <summary>Evaluates one call.</summary>
internal delegate EvalValue FunctionImplementation(Evaluator evaluator, Call call);

/// <summary>
/// The engine's implementations of PromQL functions, keyed like <see cref="FunctionSignatures.All"/>: the parser
/// owns signatures, the engine owns behaviour, and a test checks both tables list the same names.
/// </summary>
internal static partial class Functions
{
    public static FrozenDictionary<string, FunctionImplementation> All { get; } = Build();

    private static FrozenDictionary<string, FunctionImplementation> Build()
    {
        var table = new Dictionary<string, FunctionImplementation>(StringComparer.Ordinal);
        AddMath(table);
        AddRange(table);
        AddLabels(table);
        AddHistograms(table);
        AddTime(table);
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static EvalValue NotImplemented(Evaluator ev, Call call) =>
        throw new QueryException($"function \"{call.Function.Name}\" is not supported by this engine yet");
}
