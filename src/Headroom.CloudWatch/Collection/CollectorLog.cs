using Headroom.CloudWatch.Aws;
using Microsoft.Extensions.Logging;

namespace Headroom.CloudWatch.Collection;

/// <summary>
/// What collection logs: each pass's outcome, each AWS failure with the account and region it happened in, and retries.
/// Never credentials: only the first line of an AWS error message is logged, because a signature error goes on to quote
/// the canonical request, whose signed headers can carry the session token.
/// </summary>
internal static partial class CollectorLog
{
    /// <summary>The first line of an AWS error, without what AWS appends after it (see the class comment).</summary>
    public static string Summary(Exception e)
    {
        var text = e.Message.AsSpan().Trim();
        var end = text.IndexOfAny('\r', '\n');
        return (end < 0 ? text : text[..end].TrimEnd()).ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "period {Period}s: {Series} series from {Queries} queries in {Calls} GetMetricData calls, {Seconds} s")]
    public static partial void PassCompleted(ILogger logger, long period, int series, int queries, int calls, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "period {Period}s: collection failed, still serving the previous result: {Problem}")]
    public static partial void PassFailed(ILogger logger, long period, string problem);

    /// <summary><paramref name="problem"/> names the API and AWS's error code: <c>GetMetricData: AccessDenied: ...</c>.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "AWS call failed for account {Account} in {Region}: {Problem}")]
    public static partial void AwsFailed(ILogger logger, string account, string region, string problem);

    /// <summary>A describe call of the resources' facts failed: their info series go out without them.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Namespace} resources of account {Account} in {Region} have no size, class or capacity labels (the describe call failed): {Problem}")]
    public static partial void FactsFailed(ILogger logger, string @namespace, string account, string region, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AWS {Api}: {Code}, retrying in {DelayMs} ms (attempt {Attempt} of {MaxAttempts})")]
    public static partial void Retrying(ILogger logger, string api, string code, long delayMs, int attempt, int maxAttempts);

    /// <summary>Logs <paramref name="e"/> with the account (of <paramref name="role"/>) and region it happened in.</summary>
    public static void AwsFailed(ILogger logger, AwsApiException e, string region, Config.RoleConfig role) =>
        // The ambient credentials' account is known only after GetCallerIdentity, which may be the call that failed.
        AwsFailed(logger, role.AccountId ?? "of the ambient credentials", region, Summary(e));
}
