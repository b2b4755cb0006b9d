using System.CommandLine;
using System.Globalization;
using Headroom.Cli.Configuration;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.RemoteRead;
using Headroom.Prometheus.ServerApi;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Syntax;
using Spectre.Console;

namespace Headroom.Cli.Commands;

/// <summary>
/// <c>headroom query</c>: evaluates PromQL with Headroom's own engine over series read from a Prometheus by remote
/// read, and prints the answer as Prometheus' HTTP API would (JSON) or as a table.
/// </summary>
internal static class QueryCommand
{
    /// <summary>Prometheus refuses range queries with more points per series than this; so does Headroom.</summary>
    internal const long MaxPointsPerSeries = 11_000;

    public static Command Create()
    {
        var expression = new Argument<string>("expr") { Description = "The PromQL expression, e.g. 'sum by (job) (rate(http_requests_total[5m]))'" };
        var source = new Option<string>("--source") { Description = "Prometheus to read series from by remote read (/api/v1/read), e.g. http://127.0.0.1:9090", Required = true };
        var bearerTokenFile = SharedOptions.SourceBearerTokenFile();
        var time = new Option<DateTimeOffset?>("--time") { Description = "Evaluation time of an instant query: RFC 3339, Unix seconds or relative such as -1h (default: now)", CustomParser = r => TimeArgument.Parse(r, "--time") };
        var start = new Option<DateTimeOffset?>("--start") { Description = "Start of a range query (with --end and --step)", CustomParser = r => TimeArgument.Parse(r, "--start") };
        var end = new Option<DateTimeOffset?>("--end") { Description = "End of a range query (with --start and --step)", CustomParser = r => TimeArgument.Parse(r, "--end") };
        var step = new Option<TimeSpan?>("--step")
        {
            Description = "Resolution of a range query, e.g. 1m (with --start and --end)",
            HelpName = "duration",
            CustomParser = r => !Durations.TryParseSetting(r.Tokens[0].Value, out var d, out var e) ? Fail(r, $"--step: {e}")
                : d <= TimeSpan.Zero ? Fail(r, "--step: a zero step is not allowed; give a positive duration such as 15s or 1m")
                : d,
        };
        var format = SharedOptions.Format("json", "table");
        var lookback = SharedOptions.Duration("--lookback-delta", "How far back an instant selector looks for a sample", "5m", TimeSpan.FromMilliseconds(1));
        var timeout = SharedOptions.Duration("--timeout", "Longest time for reading and evaluating", "2m", TimeSpan.FromSeconds(1), SharedOptions.LongestWait);
        var command = new Command("query",
            "Evaluate a PromQL expression with Headroom's engine over series read from a Prometheus by remote read. " +
            "Prints JSON shaped like Prometheus' /api/v1/query (or /api/v1/query_range with --start, --end and --step), or a table.")
        {
            expression, source, bearerTokenFile, time, start, end, step, format, lookback, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var text = parse.GetValue(expression)!;
            var isRange = parse.GetResult(start) is not null || parse.GetResult(end) is not null || parse.GetResult(step) is not null;
            if (isRange && (parse.GetValue(start) is null || parse.GetValue(end) is null || parse.GetValue(step) is null))
                throw new CliException("a range query needs all of --start, --end and --step", ExitCodes.Usage);
            if (isRange && parse.GetResult(time) is not null)
                throw new CliException("--time is for instant queries; give either --time or --start, --end and --step", ExitCodes.Usage);

            Expr expr;
            try
            {
                expr = Parser.Parse(text);
            }
            catch (ParseException e)
            {
                await error.WriteLineAsync($"headroom: error: {e.Message}");
                await error.WriteLineAsync(Pointer(text, e.Position));
                return ExitCodes.Usage;
            }

            var url = SourceConnection.ParseUrl(parse.GetValue(source)!);
            var limit = parse.GetValue(timeout);
            using var http = SourceConnection.ForUrl(url, parse.GetValue(bearerTokenFile), limit).CreateHttpClient();
            var remote = new RemoteReadSource(new RemoteReadClient(http, url));
            // A sample on a window's left edge counts as it does on the source (Prometheus 2 counts it, 3 does not).
            var edge = await new PrometheusClient(http, url).LeftEdgeAsync(cancellationToken);
            var engine = new QueryEngine(remote, new EngineOptions { LookbackDelta = parse.GetValue(lookback), Timeout = limit, LeftEdge = edge });
            QueryResult result;
            try
            {
                if (isRange)
                {
                    var from = parse.GetValue(start)!.Value.ToUnixTimeMilliseconds();
                    var to = parse.GetValue(end)!.Value.ToUnixTimeMilliseconds();
                    var every = (long)parse.GetValue(step)!.Value.TotalMilliseconds;
                    if (to < from)
                        throw new CliException("--end must not be before --start", ExitCodes.Usage);
                    if ((to - from) / every > MaxPointsPerSeries)
                        throw new CliException($"--start to --end at this --step is more than {MaxPointsPerSeries:N0} points per series; choose a larger --step", ExitCodes.Usage);
                    result = await engine.RangeAsync(expr, from, to, every, cancellationToken);
                }
                else
                {
                    var at = parse.GetValue(time) ?? TimeProvider.System.GetUtcNow();
                    result = await engine.InstantAsync(expr, at.ToUnixTimeMilliseconds(), cancellationToken);
                }
            }
            catch (QueryException e)
            {
                throw new CliException($"cannot evaluate the query: {e.Message}");
            }

            if (parse.GetValue(format) == "table")
                await WriteTableAsync(output, error, result);
            else
                await output.WriteLineAsync(QueryResponseWriter.ToJson(result));
            return ExitCodes.Success;
        });
        return command;
    }

    private static TimeSpan? Fail(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return null;
    }

    /// <summary>The query with a caret line under the position of a parse error.</summary>
    internal static string Pointer(string query, PositionRange position)
    {
        var start = Math.Clamp(position.Start, 0, query.Length);
        var lineStart = query.LastIndexOf('\n', Math.Max(start - 1, 0)) + 1;
        if (start == 0)
            lineStart = 0;
        var lineEnd = query.IndexOf('\n', start);
        var line = query[lineStart..(lineEnd < 0 ? query.Length : lineEnd)];
        var width = Math.Max(1, Math.Min(position.End, lineStart + line.Length) - start);
        return "  " + line + "\n  " + new string(' ', start - lineStart) + new string('^', width);
    }

    private static async Task WriteTableAsync(TextWriter output, TextWriter error, QueryResult result)
    {
        var console = FleetCommand.Console(output);
        Table table;
        switch (result.Value)
        {
            case ScalarResult scalar:
                table = new Table().AddColumns("time", "scalar");
                table.AddRow(Time(scalar.T), PromValueFormat.Value(scalar.Value));
                break;
            case StringResult s:
                table = new Table().AddColumns("time", "string");
                table.AddRow(Time(s.T), Markup.Escape(s.Value));
                break;
            case VectorResult vector:
                table = new Table().AddColumns("series", "value");
                table.Title = new TableTitle(vector.Samples.Count == 0 ? "empty vector" : $"at {Time(vector.Samples[0].T)}");
                foreach (var sample in vector.Samples)
                    table.AddRow(Markup.Escape(SeriesName(sample.Labels)), PromValueFormat.Value(sample.F));
                break;
            case MatrixResult matrix:
                table = new Table().AddColumns("series", "time", "value");
                foreach (var series in matrix.Series)
                {
                    var name = Markup.Escape(SeriesName(series.Labels));
                    foreach (var point in series.Points)
                    {
                        table.AddRow(name, Time(point.T), PromValueFormat.Value(point.F));
                        name = "";
                    }
                }
                break;
            default:
                throw new InvalidOperationException($"unknown result {result.Value.GetType().Name}");
        }
        console.Write(table);
        foreach (var warning in result.Annotations.Warnings)
            await error.WriteLineAsync("warning: " + warning);
        foreach (var info in result.Annotations.Infos)
            await error.WriteLineAsync("info: " + info);
    }

    /// <summary>A series as PromQL writes it: <c>name{label="value", …}</c>.</summary>
    private static string SeriesName(PromQL.Labels labels)
    {
        var rest = labels.WithoutName();
        return labels.Name + (rest.Count > 0 || labels.Name.Length == 0 ? rest.ToString() : "");
    }

    private static string Time(long milliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
