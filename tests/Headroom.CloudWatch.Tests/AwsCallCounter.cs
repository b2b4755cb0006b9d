using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Web;

namespace Headroom.CloudWatch.Tests;

/// <summary>
/// Counts the AWS requests that go through the collector's HttpClient, by operation, region and what tells one answer
/// from another (a table's name, a page's marker): the oracle for "one call per table and per page" is what went over the
/// wire, not the collector's own self-metrics. Requests made through the AWS SDK's own clients (EC2, STS) do not pass here.
/// </summary>
internal sealed class AwsCallCounter() : DelegatingHandler(new HttpClientHandler())
{
    private readonly ConcurrentQueue<AwsCall> _calls = new();

    public IReadOnlyList<AwsCall> Calls => [.. _calls];

    /// <summary>The calls of one operation, as (region, subject) → times asked.</summary>
    public IReadOnlyDictionary<(string Region, string Subject), int> Of(string operation) =>
        _calls.Where(c => c.Operation == operation).GroupBy(c => (c.Region, c.Subject)).ToDictionary(g => g.Key, g => g.Count());

    public void Clear() => _calls.Clear();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        _calls.Enqueue(Describe(request, body));
        return await base.SendAsync(request, cancellationToken);
    }

    private static AwsCall Describe(HttpRequestMessage request, string body)
    {
        // SigV4's credential scope is AKID/date/region/service/aws4_request.
        var authorization = request.Headers.TryGetValues("Authorization", out var signed) ? signed.First() : "";
        var region = Regex.Match(authorization, "Credential=[^/]+/[^/]+/(?<region>[^/]+)/") is { Success: true } m ? m.Groups["region"].Value : "";
        var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : "";
        if (target.Length > 0)
        {
            var operation = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
            return new AwsCall(operation, region, Subject(operation, JsonNode.Parse(body.Length > 0 ? body : "{}")));
        }
        var path = request.RequestUri?.AbsolutePath ?? "";
        if (request.Method == HttpMethod.Get && path.StartsWith("/2015-03-31/functions", StringComparison.Ordinal))
            return new AwsCall("ListFunctions", region, HttpUtility.ParseQueryString(request.RequestUri!.Query)["Marker"] ?? "first page");
        // The Query protocol (RDS, ElastiCache, Redshift, ELB): a form with the Action and, after the first page, the Marker.
        var form = HttpUtility.ParseQueryString(body);
        return new AwsCall(form["Action"] ?? $"{request.Method} {path}", region, form["Marker"] ?? "");
    }

    /// <summary>What a JSON request asks about: the table, the metric or the resource types, and the page after the first.</summary>
    private static string Subject(string operation, JsonNode? body)
    {
        var subject = operation switch
        {
            "DescribeTable" => body?["TableName"]?.GetValue<string>() ?? "",
            "ListMetrics" => $"{body?["Namespace"]?.GetValue<string>()} {body?["MetricName"]?.GetValue<string>()}",
            "GetResources" => string.Join(",", body?["ResourceTypeFilters"]?.AsArray().Select(static f => f?.GetValue<string>()) ?? []),
            _ => "",
        };
        var token = body?["NextToken"]?.GetValue<string>() ?? body?["PaginationToken"]?.GetValue<string>();
        return string.IsNullOrEmpty(token) ? subject : $"{subject} page {token}";
    }
}

/// <summary>One request: its operation, the region it was signed for, and its subject (a table name, a page's marker, or empty).</summary>
internal sealed record AwsCall(string Operation, string Region, string Subject);
