using System.Text;
using Headroom.Prometheus;
using Headroom.Prometheus.Relabeling;

namespace Headroom.Servers;

/// <summary>Where one part of a split history goes: a shard's file, or a replica's copy missing some samples.</summary>
/// <param name="Shard">The shard whose series this output receives.</param>
/// <param name="Path">The OpenMetrics file to write.</param>
/// <param name="DropFraction">The fraction of samples left out at random, 0 for all of them.</param>
/// <param name="Seed">Seeds the random choice of the samples left out.</param>
internal sealed record SplitOutput(int Shard, string Path, double DropFraction = 0, int Seed = 0);

/// <summary>What went to each output: distinct series and samples written.</summary>
internal sealed record SplitCounts(long Series, long Samples);

/// <summary>
/// Splits an OpenMetrics history across shards in one streaming pass: a series goes to shard
/// <see cref="Hashmod.Of(IEnumerable{string}, int)"/> of the values of the chosen labels, every metadata line
/// (<c># TYPE</c>, <c># HELP</c>, <c># UNIT</c>) goes to every output, and every output ends with <c># EOF</c>.
/// </summary>
internal static class HistorySplitter
{
    public static Task<IReadOnlyList<SplitCounts>> SplitAsync(
        string inputFile, IReadOnlyList<string> shardBy, int shards, IReadOnlyList<SplitOutput> outputs, CancellationToken cancellationToken) =>
        Task.Run(() => Split(inputFile, shardBy, shards, outputs, cancellationToken), cancellationToken);

    public static IReadOnlyList<SplitCounts> Split(
        string inputFile, IReadOnlyList<string> shardBy, int shards, IReadOnlyList<SplitOutput> outputs, CancellationToken cancellationToken)
    {
        var writers = new StreamWriter[outputs.Count];
        var randoms = outputs.Select(static o => new Random(o.Seed)).ToArray();
        var samples = new long[outputs.Count];
        var series = new HashSet<string>[outputs.Count];
        var byShard = Enumerable.Range(0, shards).Select(s => Enumerable.Range(0, outputs.Count).Where(i => outputs[i].Shard == s).ToArray()).ToArray();
        var values = new string?[shardBy.Count];
        try
        {
            for (var i = 0; i < outputs.Count; i++)
            {
                writers[i] = new StreamWriter(outputs[i].Path, append: false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
                series[i] = new HashSet<string>(StringComparer.Ordinal);
            }

            using var reader = new StreamReader(inputFile, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, 1 << 16);
            string? previousKey = null;
            var previousShard = 0;
            var lineNumber = 0L;
            while (reader.ReadLine() is { } line)
            {
                if (++lineNumber % 65_536 == 0)
                    cancellationToken.ThrowIfCancellationRequested();
                if (line.Length == 0)
                    continue;
                if (line[0] == '#')
                {
                    if (line == "# EOF")
                        break;
                    foreach (var writer in writers)
                        writer.WriteLine(line);
                    continue;
                }

                // Histories write a series' samples one after another, so most lines repeat the previous line's
                // series: comparing the prefix skips parsing the labels and allocating the key again.
                int shard;
                if (previousKey is not null && line.Length > previousKey.Length && line[previousKey.Length] == ' '
                    && line.StartsWith(previousKey, StringComparison.Ordinal))
                {
                    shard = previousShard;
                }
                else
                {
                    var keyEnd = OpenMetricsLine.ParseSeries(line, shardBy, values, lineNumber);
                    previousKey = line[..keyEnd];
                    shard = previousShard = Hashmod.Of(values.Select(static v => v ?? ""), shards);
                    foreach (var i in byShard[shard])
                        series[i].Add(previousKey);
                }

                foreach (var i in byShard[shard])
                {
                    if (outputs[i].DropFraction > 0 && randoms[i].NextDouble() < outputs[i].DropFraction)
                        continue;
                    writers[i].WriteLine(line);
                    samples[i]++;
                }
            }

            foreach (var writer in writers)
                writer.WriteLine("# EOF");
        }
        finally
        {
            foreach (var writer in writers)
                writer?.Dispose();
        }
        return [.. Enumerable.Range(0, outputs.Count).Select(i => new SplitCounts(series[i].Count, samples[i]))];
    }
}

/// <summary>Reads the series of a sample line of the text formats: <c>name{label="value",...} value [timestamp]</c>.</summary>
internal static class OpenMetricsLine
{
    /// <summary>
    /// Returns where the series (name and label set) of <paramref name="line"/> ends and puts the unescaped values of
    /// <paramref name="labels"/> in <paramref name="values"/> (null for a label the series lacks; <c>__name__</c> is the name).
    /// </summary>
    /// <exception cref="FormatException">The line is not a sample line.</exception>
    public static int ParseSeries(string line, IReadOnlyList<string> labels, string?[] values, long lineNumber = 0)
    {
        Array.Clear(values);
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ' or '\t'))
            i++;
        if (i == 0)
            throw Malformed(line, lineNumber, "no metric name");
        Set(labels, values, "__name__", line[..i]);
        if (i == line.Length || line[i] != '{')
            return i < line.Length ? i : throw Malformed(line, lineNumber, "no value");

        i++;
        var value = new StringBuilder();
        while (true)
        {
            i = SkipSpaces(line, i);
            if (i < line.Length && line[i] == '}')
                return i + 1 < line.Length ? i + 1 : throw Malformed(line, lineNumber, "no value");
            var nameStart = i;
            while (i < line.Length && line[i] is not ('=' or ' ' or '}' or ','))
                i++;
            var name = line[nameStart..i];
            i = SkipSpaces(line, i);
            if (name.Length == 0 || i + 1 >= line.Length || line[i] != '=' || line[SkipSpaces(line, i + 1)] != '"')
                throw Malformed(line, lineNumber, "a label is not name=\"value\"");
            i = SkipSpaces(line, i + 1) + 1;
            value.Clear();
            for (; i < line.Length && line[i] != '"'; i++)
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }
            }
            if (i == line.Length)
                throw Malformed(line, lineNumber, "a label value is not closed");
            Set(labels, values, name, value.ToString());
            i = SkipSpaces(line, i + 1);
            if (i < line.Length && line[i] == ',')
                i++;
            else if (i >= line.Length || line[i] != '}')
                throw Malformed(line, lineNumber, "labels are not separated by commas");
        }
    }

    private static void Set(IReadOnlyList<string> labels, string?[] values, string name, string value)
    {
        for (var l = 0; l < labels.Count; l++)
        {
            if (string.Equals(labels[l], name, StringComparison.Ordinal))
                values[l] = value;
        }
    }

    private static int SkipSpaces(string line, int i)
    {
        while (i < line.Length && line[i] is ' ' or '\t')
            i++;
        return i;
    }

    private static FormatException Malformed(string line, long lineNumber, string reason) =>
        new($"Line {lineNumber} of the history is not a sample line ({reason}): {(line.Length > 200 ? line[..200] + "..." : line)}");
}
