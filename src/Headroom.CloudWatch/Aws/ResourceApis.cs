using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Aws;

/// <summary>The services' own describe APIs the enhanced metrics read: DynamoDB over JSON 1.0, Lambda over REST.</summary>
internal sealed class ResourceApis(AwsHttpClient client)
{
    /// <summary>Lambda returns at most 50 functions a page.</summary>
    private const int FunctionsPerPage = 50;

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
        do
        {
            var query = $"/2015-03-31/functions/?MaxItems={FunctionsPerPage}" + (marker is null ? "" : "&Marker=" + Uri.EscapeDataString(marker));
            var page = await client.GetAsync(AwsApi.ListFunctions, region, credentials, query, AwsJsonContext.Default.ListFunctionsResponse, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Functions ?? []);
            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
        return result;
    }
}
