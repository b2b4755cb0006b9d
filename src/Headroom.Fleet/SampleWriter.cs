using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Headroom.Fleet;

/// <summary>
/// Appends exposition lines as UTF-8 into a reusable buffer and hands full buffers to a stream. History
/// writing emits hundreds of millions of samples, so values and timestamps are formatted straight into
/// bytes with no intermediate strings.
/// </summary>
internal sealed class SampleWriter(Stream output, int bufferSize = 1 << 20)
{
    private readonly byte[] _buffer = new byte[bufferSize];
    private int _length;

    public long BytesWritten { get; private set; }

    public void Append(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max > _buffer.Length - _length)
        {
            Flush();
            if (max > _buffer.Length)
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                output.Write(bytes);
                BytesWritten += bytes.Length;
                return;
            }
        }
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    public void Append(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > _buffer.Length - _length)
            Flush();
        utf8.CopyTo(_buffer.AsSpan(_length));
        _length += utf8.Length;
    }

    /// <summary>Writes <c>prefix value[ timestamp]\n</c>, where <paramref name="prefix"/> already holds the name and labels.</summary>
    public void AppendSample(ReadOnlySpan<byte> prefix, double value, long? timestampMs)
    {
        if (prefix.Length + 64 > _buffer.Length - _length)
            Flush();
        var span = _buffer.AsSpan(_length);
        prefix.CopyTo(span);
        var n = prefix.Length;
        span[n++] = (byte)' ';
        n += FormatValue(value, span[n..]);
        if (timestampMs is { } ms)
        {
            span[n++] = (byte)' ';
            n += FormatTimestampSeconds(ms, span[n..]);
        }
        span[n++] = (byte)'\n';
        _length += n;
    }

    public void Flush()
    {
        if (_length == 0)
            return;
        output.Write(_buffer, 0, _length);
        BytesWritten += _length;
        _length = 0;
    }

    private static int FormatValue(double value, Span<byte> destination)
    {
        if (double.IsNaN(value))
            return Copy("NaN"u8, destination);
        if (double.IsPositiveInfinity(value))
            return Copy("+Inf"u8, destination);
        if (double.IsNegativeInfinity(value))
            return Copy("-Inf"u8, destination);
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15)
        {
            Utf8Formatter.TryFormat((long)value, destination, out var whole);
            return whole;
        }
        value.TryFormat(destination, out var written, "R", CultureInfo.InvariantCulture);
        return written;
    }

    // OpenMetrics timestamps are seconds; whole seconds print as integers, others with milliseconds.
    private static int FormatTimestampSeconds(long ms, Span<byte> destination)
    {
        var seconds = Math.DivRem(ms, 1000, out var millis);
        Utf8Formatter.TryFormat(seconds, destination, out var n);
        if (millis != 0)
        {
            destination[n++] = (byte)'.';
            Utf8Formatter.TryFormat(millis, destination[n..], out var m, new StandardFormat('D', 3));
            n += m;
        }
        return n;
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        return text.Length;
    }
}
