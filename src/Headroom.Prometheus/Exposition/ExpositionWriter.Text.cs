using System.Buffers;
using System.Text;

namespace Headroom.Prometheus.Exposition;

// Names, labels and help text: escaped and encoded as UTF-8 into the buffer.
public sealed partial class ExpositionWriter
{
    // Label values escape \, " and newline in both formats; HELP escapes \ and newline, and in OpenMetrics also ".
    // Everything else, including tabs, carriage returns and any Unicode, is written as UTF-8 unchanged.
    private static readonly SearchValues<char> s_labelValueSpecials = SearchValues.Create("\\\"\n");
    private static readonly SearchValues<char> s_textHelpSpecials = SearchValues.Create("\\\n");
    private static readonly SearchValues<char> s_openMetricsHelpSpecials = SearchValues.Create("\\\"\n");

    /// <summary>
    /// <c>metric{name="value",...}</c> as UTF-8, label values escaped, labels in the order given (no braces when there
    /// are none): build it once per series and pass it to <see cref="WriteSample(ReadOnlySpan{byte}, double, long?)"/>
    /// for each of its samples.
    /// </summary>
    public static byte[] Series(string metric, IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        using var bytes = new MemoryStream();
        using (var writer = new ExpositionWriter(bytes, ExpositionFormat.Text, 256))
            writer.AppendSeries(metric, labels);
        return bytes.ToArray();
    }

    private void AppendSeries(string metric, IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        AppendText(metric);
        for (var i = 0; i < labels.Count; i++)
            AppendLabel(i == 0, labels[i].Key, labels[i].Value);
        if (labels.Count > 0)
            AppendByte((byte)'}');
    }

    private void AppendLabel(bool first, string name, string value)
    {
        AppendByte(first ? (byte)'{' : (byte)',');
        AppendText(name);
        AppendBytes("=\""u8);
        AppendEscaped(value, s_labelValueSpecials);
        AppendByte((byte)'"');
    }

    private void AppendEscaped(ReadOnlySpan<char> text, SearchValues<char> specials)
    {
        // The specials are ASCII, so cutting the text at them never splits a surrogate pair.
        int i;
        while ((i = text.IndexOfAny(specials)) >= 0)
        {
            AppendText(text[..i]);
            AppendBytes(text[i] switch
            {
                '\\' => @"\\"u8,
                '"' => "\\\""u8,
                _ => @"\n"u8,
            });
            text = text[(i + 1)..];
        }
        AppendText(text);
    }

    private void AppendText(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair, two units, takes 4). Text longer than the
            // buffer goes in pieces, never cut inside a surrogate pair (lone surrogates become U+FFFD, as ever).
            if (text.Length * 3 > _buffer.Length - _length)
                Flush();
            var take = Math.Min(text.Length, _buffer.Length / 3);
            if (take < text.Length && char.IsHighSurrogate(text[take - 1]))
                take--;
            _length += Encoding.UTF8.GetBytes(text[..take], _buffer.AsSpan(_length));
            text = text[take..];
        }
    }

    private void AppendBytes(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > _buffer.Length - _length)
        {
            Flush();
            if (utf8.Length > _buffer.Length)
            {
                _output.Write(utf8);
                BytesWritten += utf8.Length;
                return;
            }
        }
        utf8.CopyTo(_buffer.AsSpan(_length));
        _length += utf8.Length;
    }

    private void AppendByte(byte value)
    {
        if (_length == _buffer.Length)
            Flush();
        _buffer[_length++] = value;
    }
}
