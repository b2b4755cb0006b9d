using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Headroom.Gateway.Http;

/// <summary>A request the API refuses, with Prometheus' error type and the HTTP status that goes with it.</summary>
internal sealed class ApiError : Exception
{
    public ApiError()
    {
    }

    public ApiError(string message) : this(ErrorType.BadData, message)
    {
    }

    public ApiError(string message, Exception innerException) : base(message, innerException)
    {
    }

    public ApiError(ErrorType type, string message) : base(message) => Type = type;

    public ErrorType Type { get; } = ErrorType.BadData;

    /// <summary>Writes Prometheus' error JSON: <c>{"status":"error","errorType":"bad_data","error":"…"}</c>.</summary>
    public static async Task WriteAsync(HttpContext context, ErrorType type, string message)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            // Part of the answer is out (a streamed remote read whose shard failed mid-answer): ending it normally would
            // pass a short answer off as whole, so the connection is cut and the client sees a broken answer.
            context.Abort();
            return;
        }
        response.StatusCode = StatusOf(type);
        response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Headroom.Prometheus.ServerApi.QueryResponseWriter.Options))
        {
            json.WriteStartObject();
            json.WriteString("status", "error");
            json.WriteString("errorType", NameOf(type));
            json.WriteString("error", message);
            json.WriteEndObject();
        }
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    public static int StatusOf(ErrorType type) => type switch
    {
        ErrorType.BadData => StatusCodes.Status400BadRequest,
        ErrorType.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorType.NotFound => StatusCodes.Status404NotFound,
        ErrorType.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        ErrorType.Execution => StatusCodes.Status422UnprocessableEntity,
        ErrorType.Timeout or ErrorType.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string NameOf(ErrorType type) => type switch
    {
        ErrorType.BadData => "bad_data",
        ErrorType.Unauthorized => "unauthorized",
        ErrorType.NotFound => "not_found",
        // Prometheus' router answers a wrong method with a bare 405; the body says which methods to use.
        ErrorType.MethodNotAllowed => "bad_data",
        ErrorType.Execution => "execution",
        ErrorType.Timeout => "timeout",
        ErrorType.Unavailable => "unavailable",
        ErrorType.Canceled => "canceled",
        _ => "internal",
    };
}

/// <summary>Prometheus' API error types.</summary>
internal enum ErrorType
{
    BadData,
    Unauthorized,
    NotFound,
    MethodNotAllowed,
    Execution,
    Timeout,
    Unavailable,
    Canceled,
    Internal,
}
