using System.Xml.Linq;
using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Aws;

/// <summary>
/// The services' own describe APIs, for what CloudWatch does not publish: DynamoDB over JSON 1.0, Lambda over REST, and RDS,
/// ElastiCache, Redshift and Elastic Load Balancing over the Query protocol (form POST, XML answer).
/// </summary>
internal sealed class ResourceApis(AwsHttpClient client)
{
    /// <summary>Lambda returns at most 50 functions a page.</summary>
    private const int FunctionsPerPage = 50;

    /// <summary>
    /// Pages followed at most per describe call: 1,000 pages of 100 records is far beyond any account's resources of one
    /// kind in one region, and bounds a service that keeps answering with a marker.
    /// </summary>
    private const int MaxPages = 1_000;

    /// <summary>One table's description.</summary>
    public async Task<TableDescription?> DescribeTableAsync(string region, AwsCredentials credentials, string tableName, CancellationToken cancellationToken)
    {
        var response = await client.CallAsync(AwsApi.DescribeTable, region, credentials, new DescribeTableRequest(tableName),
            AwsJsonContext.Default.DescribeTableRequest, AwsJsonContext.Default.DescribeTableResponse, cancellationToken).ConfigureAwait(false);
        return response.Table;
    }

    /// <summary>Every function of the region, every page.</summary>
    public async Task<IReadOnlyList<FunctionConfiguration>> ListFunctionsAsync(string region, AwsCredentials credentials, CancellationToken cancellationToken)
    {
        var result = new List<FunctionConfiguration>();
        string? marker = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var query = $"/2015-03-31/functions/?MaxItems={FunctionsPerPage}" + (marker is null ? "" : "&Marker=" + Uri.EscapeDataString(marker));
            var answer = await client.GetAsync(AwsApi.ListFunctions, region, credentials, query, AwsJsonContext.Default.ListFunctionsResponse, cancellationToken).ConfigureAwait(false);
            result.AddRange(answer.Functions ?? []);
            marker = answer.NextMarker;
            if (string.IsNullOrEmpty(marker))
                break;
        }
        return result;
    }

    /// <summary>
    /// Every record of a Query-protocol describe call, every page: the elements named <paramref name="record"/> inside
    /// <paramref name="list"/>, each as its child elements' values by name (nested ones as <c>Parent.Child</c>).
    /// </summary>
    /// <param name="marker">The response element that carries the next page's marker (<c>Marker</c>, ELBv2's <c>NextMarker</c>).</param>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> DescribeAsync(AwsApi api, string region, AwsCredentials credentials,
        string list, string record, string marker, CancellationToken cancellationToken)
    {
        var result = new List<IReadOnlyDictionary<string, string>>();
        string? next = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var parameters = new List<KeyValuePair<string, string>> { new(api == AwsApi.DescribeLoadBalancers ? "PageSize" : "MaxRecords", "100") };
            if (next is not null)
                parameters.Add(new("Marker", next));
            var answer = await client.QueryAsync(api, region, credentials, parameters, cancellationToken).ConfigureAwait(false);
            var container = answer.Descendants().FirstOrDefault(e => e.Name.LocalName == list);
            foreach (var element in container?.Elements().Where(e => e.Name.LocalName == record) ?? [])
                result.Add(Flatten(element));
            next = answer.Descendants().FirstOrDefault(e => e.Name.LocalName == marker)?.Value;
            if (string.IsNullOrEmpty(next))
                break;
        }
        return result;
    }

    private static Dictionary<string, string> Flatten(XElement element)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var child in element.Elements())
        {
            if (!child.HasElements)
                values.TryAdd(child.Name.LocalName, child.Value);
            else
            {
                foreach (var grandchild in child.Elements().Where(static g => !g.HasElements))
                    values.TryAdd($"{child.Name.LocalName}.{grandchild.Name.LocalName}", grandchild.Value);
            }
        }
        return values;
    }
}
