using System.Text.Json;
using Headroom.Gateway.Federation;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Http;

internal sealed partial class GatewayApi
{
    // Without start and end, the metadata endpoints look at everything, as Prometheus does.
    private const long Forever = long.MaxValue;

    /// <summary><c>/api/v1/series</c>: the label sets of series matching any <c>match[]</c> with samples in the range.</summary>
    public async Task SeriesAsync(RequestContext request)
    {
        var p = request.Parameters;
        var selectors = p.Matchers(required: true);
        var (start, end) = Range(p);
        var warnings = new SourceWarnings();
        var found = new HashSet<Labels>();
        // Not the "series" hint: Prometheus then answers series without samples, which a source cannot tell from series
        // with no samples in the range.
        var hints = new SelectHints();
        using var slot = await EnterAsync(request).ConfigureAwait(false);
        foreach (var matchers in selectors)
        {
            await foreach (var series in request.Source.SelectAsync(matchers, start, end, hints, warnings, request.Aborted).ConfigureAwait(false))
            {
                found.Add(series.Labels);
            }
        }
        var sorted = found.ToList();
        sorted.Sort(Labels.Compare);
        await WriteJsonAsync(request.Http, json => Success(json, data =>
        {
            data.WriteStartArray();
            foreach (var labels in sorted)
            {
                WriteLabels(data, labels);
            }
            data.WriteEndArray();
        }, warnings)).ConfigureAwait(false);
    }

    /// <summary><c>/api/v1/labels</c>: label names, of the series matching <c>match[]</c> when given.</summary>
    public async Task LabelNamesAsync(RequestContext request)
    {
        var p = request.Parameters;
        var selectors = p.Matchers(required: false);
        var (start, end) = Range(p);
        var warnings = new SourceWarnings();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var matchers in selectors.Count == 0 ? [[]] : selectors)
        {
            names.UnionWith(await request.Source.LabelNamesAsync(matchers, start, end, warnings, request.Aborted).ConfigureAwait(false));
        }
        await WriteStringsAsync(request, names, warnings).ConfigureAwait(false);
    }

    /// <summary><c>/api/v1/label/{name}/values</c>: values of one label, of the series matching <c>match[]</c> when given.</summary>
    public async Task LabelValuesAsync(RequestContext request, string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ApiError($"invalid label name: \"{name}\"");
        }
        var p = request.Parameters;
        var selectors = p.Matchers(required: false);
        var (start, end) = Range(p);
        var warnings = new SourceWarnings();
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var matchers in selectors.Count == 0 ? [[]] : selectors)
        {
            values.UnionWith(await request.Source.LabelValuesAsync(name, matchers, start, end, warnings, request.Aborted).ConfigureAwait(false));
        }
        await WriteStringsAsync(request, values, warnings).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>/api/v1/metadata</c>: metric types, help and units from one replica of each shard. Under tenancy only
    /// metrics the tenant has series of are listed.
    /// </summary>
    public async Task MetadataAsync(RequestContext request)
    {
        var p = request.Parameters;
        var metric = p.Get("metric");
        var limit = p.Get("limit") is { } text ? (int.TryParse(text, out var n) ? n : throw new ApiError($"invalid parameter \"limit\": '{text}' is not a number")) : -1;
        var warnings = new SourceWarnings();
        var merged = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        var answers = await request.Gateway.Federation.AskAsync([], long.MinValue, long.MaxValue, warnings,
            (shard, token) => ShardMetadataAsync(shard, metric, token), request.Aborted).ConfigureAwait(false);
        foreach (var answer in answers)
        {
            foreach (var (name, entries) in answer)
            {
                merged.TryAdd(name, entries);
            }
        }
        if (request.Tenant is not null)
        {
            var visible = (await request.Source.LabelValuesAsync(Labels.MetricName, [], long.MinValue, Forever, warnings, request.Aborted)
                .ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            foreach (var name in merged.Keys.Where(k => !visible.Contains(k)).ToList())
            {
                merged.Remove(name);
            }
        }
        await WriteJsonAsync(request.Http, json => Success(json, data =>
        {
            data.WriteStartObject();
            foreach (var (name, entries) in limit >= 0 ? merged.Take(limit) : merged)
            {
                data.WritePropertyName(name);
                entries.WriteTo(data);
            }
            data.WriteEndObject();
        }, warnings)).ConfigureAwait(false);
    }

    private static async Task<Dictionary<string, JsonElement>> ShardMetadataAsync(ISeriesSource shard, string? metric, CancellationToken token)
    {
        if (shard is not ShardSource { } s)
        {
            return [];
        }
        var answers = await s.AskAllAsync(async (replica, t) => replica is ReplicaBackend backend
            ? await backend.MetadataAsync(metric, t).ConfigureAwait(false)
            : [], token).ConfigureAwait(false);
        var merged = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var answer in answers)
        {
            foreach (var (name, entries) in answer)
            {
                merged.TryAdd(name, entries);
            }
        }
        return merged;
    }

    private static (long Start, long End) Range(RequestParameters p)
    {
        var start = p.Time("start", long.MinValue);
        var end = p.Time("end", Forever);
        if (end < start)
        {
            throw new ApiError("invalid parameter \"end\": end timestamp must not be before start time");
        }
        return (start, end);
    }

    private static Task WriteStringsAsync(RequestContext request, IEnumerable<string> values, SourceWarnings warnings) =>
        WriteJsonAsync(request.Http, json => Success(json, data =>
        {
            data.WriteStartArray();
            foreach (var value in values)
            {
                data.WriteStringValue(value);
            }
            data.WriteEndArray();
        }, warnings));
}
