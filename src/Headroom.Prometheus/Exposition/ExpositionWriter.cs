using System.Buffers;
using System.Buffers.Text;
using Headroom.PromQL;

namespace Headroom.Prometheus.Exposition;

/// <summary>
/// Writes Prometheus' text exposition (<see cref="ExpositionFormat.Text"/> or <see cref="ExpositionFormat.OpenMetrics"/>)
/// as UTF-8 into a pooled buffer and hands full buffers to a stream. It is the one writer of the format in Headroom:
/// live scrape targets, <c>/federate</c>, the CloudWatch collector and the fleet's history all write through it.
/// </summary>
/// <remarks>
/// History writing emits hundreds of millions of samples (<c>bench/history.sh 1000 14</c>: about 600 million), so the sample path
/// takes the series (<c>name{labels}</c>) as bytes built once per series by <see cref="Series"/>, and formats the value
/// and timestamp straight into the buffer: no string, no allocation per sample. Not thread-safe.
/// </remarks>
public sealed partial class ExpositionWriter : IDisposable
{
    /// <summary>The Content-Type of <see cref="ExpositionFormat.Text"/>.</summary>
    public const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The Content-Type of <see cref="ExpositionFormat.OpenMetrics"/>.</summary>
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// <summary>The buffer size unless given: one scrape of a simulated host (about 5 KB) or a few hundred series fit.</summary>
    public const int DefaultBufferSize = 1 << 16;

    // A sample line's tail after the series: space, value, space, timestamp, newline.
    private const int MaxSampleTail = 3 + (2 * NumberText.MaxLength);

    private readonly Stream _output;
    private readonly ExpositionFormat _format;
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer to <paramref name="output"/>; call <see cref="Flush"/> (or dispose) to hand over the rest.</summary>
    /// <param name="bufferSize">Bytes buffered before each write to <paramref name="output"/>; at least 256.</param>
    public ExpositionWriter(Stream output, ExpositionFormat format = ExpositionFormat.Text, int bufferSize = DefaultBufferSize)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 256);
        _output = output;
        _format = format;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    /// <summary>Bytes handed to the stream so far; after <see cref="Flush"/>, everything written.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Writes <c># HELP metric help</c>, the help text escaped as the format requires.</summary>
    public void WriteHelp(string metric, string help)
    {
        ArgumentNullException.ThrowIfNull(help);
        AppendBytes("# HELP "u8);
        AppendText(metric);
        AppendByte((byte)' ');
        AppendEscaped(help, _format == ExpositionFormat.OpenMetrics ? s_openMetricsHelpSpecials : s_textHelpSpecials);
        AppendByte((byte)'\n');
    }

    /// <summary>Writes <c># TYPE metric type</c>; <paramref name="type"/> is e.g. <c>counter</c>, <c>gauge</c>, <c>untyped</c>.</summary>
    public void WriteType(string metric, string type)
    {
        AppendBytes("# TYPE "u8);
        AppendText(metric);
        AppendByte((byte)' ');
        AppendText(type);
        AppendByte((byte)'\n');
    }

    /// <summary>
    /// Writes <c>series value[ timestamp]\n</c>, where <paramref name="series"/> is a name with its labels from
    /// <see cref="Series"/>. The timestamp is written in milliseconds (<see cref="ExpositionFormat.Text"/>) or seconds
    /// (<see cref="ExpositionFormat.OpenMetrics"/>).
    /// </summary>
    public void WriteSample(ReadOnlySpan<byte> series, double value, long? timestampMs)
    {
        if (series.Length + MaxSampleTail > _buffer.Length - _length)
        {
            Flush();
            if (series.Length + MaxSampleTail > _buffer.Length)
            {
                AppendBytes(series);
                series = default;
            }
        }
        var span = _buffer.AsSpan(_length);
        series.CopyTo(span);
        var n = series.Length;
        span[n++] = (byte)' ';
        n += NumberText.FormatValue(value, span[n..]);
        if (timestampMs is { } ms)
        {
            span[n++] = (byte)' ';
            if (_format == ExpositionFormat.OpenMetrics)
            {
                n += NumberText.FormatSeconds(ms, span[n..], threeDigits: true);
            }
            else
            {
                Utf8Formatter.TryFormat(ms, span[n..], out var written);
                n += written;
            }
        }
        span[n++] = (byte)'\n';
        _length += n;
    }

    /// <summary>Writes one sample of <paramref name="metric"/> with <paramref name="labels"/> in the order given.</summary>
    public void WriteSample(string metric, IReadOnlyList<KeyValuePair<string, string>> labels, double value, long? timestampMs)
    {
        AppendSeries(metric, labels);
        WriteSample(ReadOnlySpan<byte>.Empty, value, timestampMs);
    }

    /// <summary>Writes one sample of a series: the name from <c>__name__</c>, the other labels in braces.</summary>
    public void WriteSample(Labels labels, double value, long? timestampMs)
    {
        ArgumentNullException.ThrowIfNull(labels);
        AppendText(labels.Name);
        var first = true;
        foreach (var label in labels.AsSpan())
        {
            if (label.Name != Labels.MetricName)
            {
                AppendLabel(first, label.Name, label.Value);
                first = false;
            }
        }
        if (!first)
            AppendByte((byte)'}');
        WriteSample(ReadOnlySpan<byte>.Empty, value, timestampMs);
    }

    /// <summary>Writes the <c># EOF</c> line that ends an OpenMetrics exposition.</summary>
    public void WriteEof() => AppendBytes("# EOF\n"u8);

    /// <summary>Hands everything buffered to the stream.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        if (_length == 0)
            return;
        _output.Write(_buffer, 0, _length);
        BytesWritten += _length;
        _length = 0;
    }

    /// <summary>Flushes and returns the buffer to the pool.</summary>
    public void Dispose()
    {
        if (_buffer.Length == 0)
            return;
        try
        {
            Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
