using System.Net;

namespace Headroom.CloudWatch.Aws;

/// <summary>An AWS API answered with an error (after retries, when the error was retryable).</summary>
public sealed class AwsApiException : Exception
{
    public AwsApiException(string api, HttpStatusCode? status, string code, string message, Exception? inner = null)
        : base($"{api}: {code}: {message}", inner)
    {
        Api = api;
        Status = status;
        Code = code;
    }

    public AwsApiException()
    {
        Api = Code = "";
    }

    public AwsApiException(string message)
        : base(message)
    {
        Api = Code = "";
    }

    public AwsApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Api = Code = "";
    }

    public string Api { get; }

    public HttpStatusCode? Status { get; }

    /// <summary>AWS's error code, e.g. <c>ThrottlingException</c>, <c>AccessDenied</c>.</summary>
    public string Code { get; }

    /// <summary>Throttling: AWS asks the caller to slow down.</summary>
    public bool IsThrottling => Status == HttpStatusCode.TooManyRequests
        || Code is "Throttling" or "ThrottlingException" or "ThrottledException" or "RequestLimitExceeded" or "TooManyRequestsException" or "RequestThrottled" or "RequestThrottledException";

    /// <summary>Worth retrying: throttling, a server-side failure, or no answer at all.</summary>
    public bool IsRetryable => IsThrottling || Status is null || (int)Status.Value >= 500;
}
