namespace Headroom.Prometheus.Client;

/// <summary>One sample of an HTTP API answer (the engine's own is <c>Headroom.PromQL.Sample</c>): milliseconds since the Unix epoch and a value.</summary>
public readonly record struct ResponseSample(long TimestampMs, double Value);

/// <summary>A series in a query result: its labels and its samples in time order (one for an instant vector).</summary>
public sealed record ResultSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<ResponseSample> Samples);

/// <summary>The <c>data</c> of a successful <c>/api/v1/query</c> or <c>/api/v1/query_range</c> answer.</summary>
/// <param name="ResultType"><c>vector</c>, <c>matrix</c>, <c>scalar</c> or <c>string</c>.</param>
/// <param name="Series">The series of a vector or matrix; empty for a scalar or string.</param>
/// <param name="Scalar">The value of a scalar result.</param>
/// <param name="Warnings">Warnings and infos Prometheus returned beside the result.</param>
public sealed record QueryResponse(string ResultType, IReadOnlyList<ResultSeries> Series, ResponseSample? Scalar, IReadOnlyList<string> Warnings);

/// <summary>A query the Prometheus HTTP API refused or could not answer.</summary>
public sealed class PrometheusApiException : Exception
{
    public PrometheusApiException(string message, int? statusCode = null, string? errorType = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        ErrorType = errorType;
    }

    public PrometheusApiException()
    {
    }

    public PrometheusApiException(string message)
        : base(message)
    {
    }

    public PrometheusApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status, when a response arrived.</summary>
    public int? StatusCode { get; }

    /// <summary>Prometheus' <c>errorType</c> (e.g. <c>bad_data</c>, <c>execution</c>, <c>timeout</c>).</summary>
    public string? ErrorType { get; }
}
