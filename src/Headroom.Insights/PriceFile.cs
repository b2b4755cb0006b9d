using System.Text.Json;

namespace Headroom.Insights;

/// <summary>
/// What the three price files (instance types, AWS services, host name patterns) share: an AWS offer file is told from
/// CSV by its first character and streamed token by token (<see cref="Walk"/>), and a CSV file is a header line, then one
/// price a line, with blank lines and <c>#</c> comments skipped.
/// </summary>
internal static class PriceFile
{
    /// <summary>Whether the file at <paramref name="path"/> starts with <c>{</c> (an AWS offer file), past whitespace and a byte-order mark.</summary>
    /// <exception cref="PriceFileException">The file does not exist.</exception>
    public static bool IsJson(string path)
    {
        if (!File.Exists(path))
            throw new PriceFileException(path, "the file does not exist");
        using var probe = File.OpenRead(path);
        int first;
        do
            first = probe.ReadByte();
        while (first is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF);
        return first == '{';
    }

    /// <summary>
    /// The data lines of a CSV price file after its <paramref name="header"/>, each with its line number and its
    /// fields trimmed. <paramref name="headerHint"/> ends the message for a wrong header (what else the file may be),
    /// <paramref name="emptyHint"/> the one for a file with no header (what its lines hold).
    /// </summary>
    /// <exception cref="PriceFileException">The header is missing or wrong.</exception>
    public static IEnumerable<(int Number, string[] Fields)> Rows(TextReader reader, string name, string header, string headerHint = "", string emptyHint = "")
    {
        var seenHeader = false;
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            var text = line.Trim();
            if (text.Length == 0 || text[0] == '#')
                continue;
            if (!seenHeader)
            {
                if (!string.Equals(text.Replace(" ", "", StringComparison.Ordinal), header, StringComparison.OrdinalIgnoreCase))
                    throw new PriceFileException(name, $"line {number}: expected the header '{header}'{headerHint}, got '{Shorten(text)}'");
                seenHeader = true;
                continue;
            }
            yield return (number, [.. text.Split(',').Select(static f => f.Trim())]);
        }
        if (!seenHeader)
            throw new PriceFileException(name, $"the file is empty; expected the header '{header}'{emptyHint}");
    }

    /// <summary>A handler of each JSON token of an offer file.</summary>
    public delegate void TokenHandler(ref Utf8JsonReader reader);

    /// <summary>
    /// Streams the tokens of <paramref name="stream"/> to <paramref name="token"/> over a refilled buffer (offer files are
    /// gigabytes); malformed JSON becomes a <see cref="PriceFileException"/> naming <paramref name="name"/> and the place.
    /// </summary>
    public static void Walk(Stream stream, string name, TokenHandler token)
    {
        var buffer = new byte[1 << 16];
        var length = 0;
        var final = false;
        var state = new JsonReaderState();
        long consumedBefore = 0;
        try
        {
            while (true)
            {
                while (!final && length < buffer.Length)
                {
                    var read = stream.Read(buffer, length, buffer.Length - length);
                    if (read == 0)
                        final = true;
                    length += read;
                }
                var reader = new Utf8JsonReader(buffer.AsSpan(0, length), final, state);
                while (reader.Read())
                    token(ref reader);
                if (final)
                    break;
                var consumed = (int)reader.BytesConsumed;
                consumedBefore += consumed;
                state = reader.CurrentState;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
                length -= consumed;
                // One token larger than the buffer (a very long string): grow until it fits.
                if (length == buffer.Length)
                    Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : $" near byte {consumedBefore}";
            throw new PriceFileException(name, $"not valid JSON{where}: {FirstSentence(e.Message)}", e);
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }

    public static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
