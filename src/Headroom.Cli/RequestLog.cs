using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Headroom.Cli;

/// <summary>
/// One debug line per request for the HTTP servers the CLI builds itself (<c>serve</c>, <c>cloudwatch serve</c>), in the
/// same shape as the gateway's and the fleet's: method, path (never the query string) and status.
/// </summary>
internal static partial class RequestLog
{
    /// <summary>Adds the middleware; register it before the endpoints so that it sees every request.</summary>
    public static void UseRequestLog(this WebApplication app, ILogger logger) =>
        app.Use(async (context, next) =>
        {
            await next(context).ConfigureAwait(false);
            Request(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode);
        });

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} {Status}")]
    private static partial void Request(ILogger logger, string method, PathString path, int status);
}
