using System.Globalization;
using System.Text;
using Headroom.Prometheus.Exposition;
using Headroom.PromQL;
using Headroom.Servers;

namespace Headroom.IntegrationTests;

/// <summary>
/// The one text-exposition writer (live targets, <c>/federate</c>, the CloudWatch collector and the fleet's history
/// write through it), checked by promtool: <c>check metrics</c> parses and lints the text format, and
/// <c>tsdb create-blocks-from openmetrics</c> then <c>tsdb dump</c> read OpenMetrics back label for label and
/// value for value.
/// </summary>
public sealed class ExpositionWriterTests : IDisposable
{
    // What breaks a writer that forgets to escape: quotes, backslashes (one ending the value, one before an n),
    // newlines; tabs and carriage returns (written raw); Unicode from three planes; a value longer than the buffer.
    private static readonly string[] s_hostile =
    [
        "plain", "say \"hi\"", @"C:\temp\", @"\n is not a newline", "two\nlines", "tab\tand\rcr", "ünïcødé ☃ 日本語 𝄞 🙂",
        new string('x', 300) + "☃" + new string('"', 50) + "\n",
    ];

    private static readonly double[] s_values =
    [
        0, -0.0, 1, -1, 0.1, 1.5, 1e15, 999999999999999, 1e21, 1e-7, 123456789.123, double.MaxValue, double.Epsilon,
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.30000000000000004, 9007199254740993,
    ];

    private const string HostileHelp = "Help with a \\ backslash, \"quotes\", a\nnewline and ☃.";
    private const long Start = 1_700_000_000_000;

    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Promtool_check_metrics_accepts_hostile_label_values_and_help_and_every_kind_of_value()
    {
        var text = Write(ExpositionFormat.Text, 256);

        var result = await Promtool.CheckMetricsAsync(text);
        Assert.True(result.ExitCode == 0 && (result.StandardOutput + result.StandardError).Length == 0,
            $"exit {result.ExitCode}: {result.StandardOutput}{result.StandardError}");

        // The oracle can fail: one label value or help text left unescaped, and promtool refuses the exposition.
        Assert.Contains(@"value=""two\nlines""", text, StringComparison.Ordinal);
        var unescaped = await Promtool.CheckMetricsAsync(text.Replace(@"value=""two\nlines""", "value=\"two\nlines\"", StringComparison.Ordinal));
        Assert.NotEqual(0, unescaped.ExitCode);
        var help = await Promtool.CheckMetricsAsync(text.Replace(@"a\nnewline", "a\nnewline", StringComparison.Ordinal));
        Assert.NotEqual(0, help.ExitCode);
    }

    [Fact]
    public async Task Promtool_reads_openmetrics_back_with_every_label_value_value_and_timestamp_intact()
    {
        var file = _scratch.Combine("hostile.om");
        await File.WriteAllTextAsync(file, Write(ExpositionFormat.OpenMetrics, 256));
        var blocks = _scratch.Combine("blocks");

        var created = await Promtool.CreateBlocksFromOpenMetricsAsync(file, blocks);
        Assert.True(created.Succeeded, created.StandardError + created.StandardOutput);
        var dump = await Promtool.DumpAsync(blocks);
        Assert.True(dump.Succeeded, dump.StandardError);

        var read = dump.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(DumpLine.Parse).ToList();
        var expected = Expected().ToList();
        Assert.Equal(expected.Count, read.Count);
        foreach (var sample in expected)
        {
            var match = read.Where(r => r.Labels == sample.Labels && r.TimestampMs == Timestamp(ExpositionFormat.OpenMetrics, sample.Offset)).ToList();
            Assert.True(match.Count == 1, $"{sample.Labels} at offset {sample.Offset}: {match.Count} samples read back");
            Assert.True(SameValue(sample.Value, match[0].Value), $"{sample.Labels}: wrote {sample.Value:R}, read {match[0].Value:R}");
        }
    }

    [Fact]
    public void Escapes_label_values_and_help_as_each_format_requires_whatever_the_buffer_size()
    {
        var small = Write(ExpositionFormat.Text, 256);
        Assert.Equal(small, Write(ExpositionFormat.Text, 1 << 20));
        Assert.StartsWith("# HELP hostile_labels Help with a \\\\ backslash, \"quotes\", a\\nnewline and ☃.\n# TYPE hostile_labels gauge\n", small, StringComparison.Ordinal);
        Assert.Contains("hostile_labels{case=\"1\",value=\"say \\\"hi\\\"\",sample=\"14\"} +Inf 1700000000014\n", small, StringComparison.Ordinal);
        Assert.Contains("hostile_labels{case=\"2\",value=\"C:\\\\temp\\\\\",sample=\"1\"} -0 1700000000001\n", small, StringComparison.Ordinal);
        Assert.Contains("hostile_labels{case=\"5\",value=\"tab\tand\rcr\",sample=\"8\"} 1E+21 1700000000008\n", small, StringComparison.Ordinal);
        Assert.Contains("federated_series{instance=\"\\\\n is not a newline\",job=\"j\"} 0.30000000000000004 1700000000003\n", small, StringComparison.Ordinal);
        Assert.Contains("\nunlabelled_series 5E-324\n", small, StringComparison.Ordinal);

        var openMetrics = Write(ExpositionFormat.OpenMetrics, 256);
        Assert.StartsWith("# HELP hostile_labels Help with a \\\\ backslash, \\\"quotes\\\", a\\nnewline and ☃.\n", openMetrics, StringComparison.Ordinal);
        Assert.Contains("hostile_labels{case=\"0\",value=\"plain\",sample=\"5\"} 1.5 1700000007.500\n", openMetrics, StringComparison.Ordinal);
        Assert.EndsWith("\n# EOF\n", openMetrics, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_are_the_shortest_round_trip_text_and_timestamps_seconds_or_milliseconds()
    {
        var random = new Random(7);
        for (var i = 0; i < 100_000; i++)
        {
            var value = i % 2 == 0 ? BitConverter.Int64BitsToDouble(random.NextInt64()) : Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-3, 20)), random.Next(4));
            var text = NumberText.Value(value);
            Assert.Equal(double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture), text);
        }
        Assert.Equal(new[] { "+Inf", "-Inf", "NaN", "-0", "0", "-12", "999999999999999", "1E+21", "5E-324" },
            new[] { double.PositiveInfinity, double.NegativeInfinity, double.NaN, -0.0, 0, -12, 999999999999999, 1e21, double.Epsilon }.Select(NumberText.Value));
        Assert.Equal(new[] { "0", "0.001", "1.5", "1793491207.5", "-1.5", "-0.5", "-9223372036854775.808" },
            new[] { 0, 1, 1500, 1793491207500, -1500, -500, long.MinValue }.Select(NumberText.Seconds));
        Span<byte> utf8 = stackalloc byte[NumberText.MaxLength];
        Assert.Equal("1793491207.500", Encoding.ASCII.GetString(utf8[..NumberText.FormatSeconds(1793491207500, utf8, threeDigits: true)]));
    }

    private static string Write(ExpositionFormat format, int bufferSize)
    {
        using var bytes = new MemoryStream();
        using (var writer = new ExpositionWriter(bytes, format, bufferSize))
        {
            // Three ways in: labels as pairs, a series built once, and a PromQL label set (as /federate writes).
            writer.WriteHelp("hostile_labels", HostileHelp);
            writer.WriteType("hostile_labels", "gauge");
            foreach (var sample in Expected().Where(s => s.Metric == "hostile_labels"))
            {
                if (sample.Case % 2 == 0)
                    writer.WriteSample("hostile_labels", sample.Pairs, sample.Value, Timestamp(format, sample.Offset));
                else
                    writer.WriteSample(ExpositionWriter.Series("hostile_labels", sample.Pairs), sample.Value, Timestamp(format, sample.Offset));
            }
            writer.WriteHelp("federated_series", "Written from a label set.");
            writer.WriteType("federated_series", "gauge");
            foreach (var sample in Expected().Where(s => s.Metric == "federated_series"))
                writer.WriteSample(Labels.Of(["__name__", "federated_series", .. sample.Pairs.SelectMany(p => new[] { p.Key, p.Value })]), sample.Value, Timestamp(format, sample.Offset));
            writer.WriteHelp("unlabelled_series", "No labels.");
            writer.WriteType("unlabelled_series", "gauge");
            writer.WriteSample("unlabelled_series", [], double.Epsilon, format == ExpositionFormat.OpenMetrics ? Start : null);
            if (format == ExpositionFormat.OpenMetrics)
                writer.WriteEof();
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    // The text format's samples are a millisecond apart; OpenMetrics' 1.5 s apart, so that half the timestamps have a fraction.
    private static long? Timestamp(ExpositionFormat format, long offset) =>
        format == ExpositionFormat.OpenMetrics ? Start + (offset * 1500) : Start + offset;

    private sealed record Sample(string Metric, int Case, KeyValuePair<string, string>[] Pairs, double Value, long Offset)
    {
        public string Labels => "__name__=" + Metric + ";" + string.Join(";", Pairs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
    }

    private static IEnumerable<Sample> Expected()
    {
        for (var i = 0; i < s_hostile.Length; i++)
        {
            for (var j = 0; j < s_values.Length; j++)
                yield return new("hostile_labels", i, [new("case", i.ToString(CultureInfo.InvariantCulture)), new("value", s_hostile[i]), new("sample", j.ToString(CultureInfo.InvariantCulture))], s_values[j], j);
        }
        for (var i = 0; i < s_hostile.Length; i++)
            yield return new("federated_series", i, [new("instance", s_hostile[i]), new("job", "j")], s_values[(i + 13) % s_values.Length], 3);
        yield return new("unlabelled_series", 0, [], double.Epsilon, 0);
    }

    private static bool SameValue(double a, double b) =>
        double.IsNaN(a) ? double.IsNaN(b) : BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    /// <summary>One line of <c>promtool tsdb dump</c>: <c>{__name__="m", a="v"} value timestamp-ms</c>, values Go-quoted.</summary>
    private sealed record DumpLine(string Labels, double Value, long TimestampMs)
    {
        public static DumpLine Parse(string line)
        {
            var pairs = new List<KeyValuePair<string, string>>();
            var i = 1;
            while (line[i] != '}')
            {
                var equals = line.IndexOf('=', i);
                var name = line[i..equals];
                var (value, end) = GoUnquote(line, equals + 1);
                pairs.Add(new(name, value));
                i = line[end] == ',' ? end + 2 : end;
            }
            var rest = line[(i + 2)..].Split(' ');
            var number = rest[0] switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var text => double.Parse(text, CultureInfo.InvariantCulture),
            };
            var metric = pairs.Single(p => p.Key == "__name__").Value;
            var labels = "__name__=" + metric + ";" + string.Join(";", pairs.Where(p => p.Key != "__name__").OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
            return new(labels, number, long.Parse(rest[1], CultureInfo.InvariantCulture));
        }

        // Go's strconv.Quote: \" \\ \n \t \r and \x, \u, \U escapes; printable Unicode is left as it is.
        private static (string Value, int End) GoUnquote(string line, int start)
        {
            Assert.Equal('"', line[start]);
            var value = new StringBuilder();
            var i = start + 1;
            for (; line[i] != '"'; i++)
            {
                if (line[i] != '\\')
                {
                    value.Append(line[i]);
                    continue;
                }
                i++;
                switch (line[i])
                {
                    case '"' or '\\':
                        value.Append(line[i]);
                        break;
                    case 'n':
                        value.Append('\n');
                        break;
                    case 't':
                        value.Append('\t');
                        break;
                    case 'r':
                        value.Append('\r');
                        break;
                    case 'x' or 'u' or 'U':
                        var digits = line[i] switch { 'x' => 2, 'u' => 4, _ => 8 };
                        value.Append(char.ConvertFromUtf32(int.Parse(line.AsSpan(i + 1, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
                        i += digits;
                        break;
                    default:
                        throw new FormatException($"unexpected escape \\{line[i]} in {line}");
                }
            }
            return (value.ToString(), i + 1);
        }
    }
}
