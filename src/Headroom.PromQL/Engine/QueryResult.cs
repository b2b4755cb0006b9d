namespace Headroom.PromQL.Engine;

/// <summary>The value of a query: a scalar, a string, an instant vector or a matrix.</summary>
public abstract record QueryValue;

/// <summary>A scalar result.</summary>
/// <param name="T">The evaluation time in milliseconds.</param>
/// <param name="Value">The value.</param>
public sealed record ScalarResult(long T, double Value) : QueryValue;

/// <summary>A string result.</summary>
/// <param name="T">The evaluation time in milliseconds.</param>
/// <param name="Value">The string.</param>
public sealed record StringResult(long T, string Value) : QueryValue;

/// <summary>An instant vector: one sample per series, in the engine's output order.</summary>
/// <param name="Samples">The samples.</param>
public sealed record VectorResult(IReadOnlyList<Sample> Samples) : QueryValue;

/// <summary>A matrix: series with points, sorted by labels for range queries.</summary>
/// <param name="Series">The series.</param>
public sealed record MatrixResult(IReadOnlyList<Series> Series) : QueryValue;

/// <summary>The outcome of a query: its value and the annotations raised while evaluating it.</summary>
/// <param name="Value">The value.</param>
/// <param name="Annotations">Warnings and infos; never thrown.</param>
public sealed record QueryResult(QueryValue Value, Annotations Annotations);

/// <summary>Non-fatal problems found while evaluating a query, such as "metric might not be a counter".</summary>
public sealed class Annotations
{
    private readonly List<string> _warnings = [];
    private readonly List<string> _infos = [];

    /// <summary>Warnings, each starting "PromQL warning: ".</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Infos, each starting "PromQL info: ".</summary>
    public IReadOnlyList<string> Infos => _infos;

    internal void Warn(string message)
    {
        var text = "PromQL warning: " + message;
        if (!_warnings.Contains(text))
        {
            _warnings.Add(text);
        }
    }

    /// <summary>A warning raised by the storage (a shard down, partial data): kept as the source wrote it, as Prometheus does.</summary>
    internal void WarnFromSource(string message)
    {
        if (!_warnings.Contains(message))
        {
            _warnings.Add(message);
        }
    }

    internal void Info(string message)
    {
        var text = "PromQL info: " + message;
        if (!_infos.Contains(text))
        {
            _infos.Add(text);
        }
    }
}

/// <summary>A query failed during evaluation (not while parsing).</summary>
public sealed class QueryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public QueryException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public QueryException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public QueryException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
