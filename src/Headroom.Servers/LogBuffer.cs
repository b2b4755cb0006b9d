namespace Headroom.Servers;

/// <summary>A thread-safe ring buffer of the most recent output lines of a process.</summary>
internal sealed class LogBuffer(int capacity = 2000)
{
    private readonly string[] _lines = new string[capacity];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;

    public void Add(string line)
    {
        lock (_lock)
        {
            _lines[_next] = line;
            _next = (_next + 1) % _lines.Length;
            _count = Math.Min(_count + 1, _lines.Length);
        }
    }

    /// <summary>The last <paramref name="lineCount"/> lines, oldest first, joined by newlines.</summary>
    public string Tail(int lineCount = 50) => string.Join(Environment.NewLine, Lines(lineCount));

    public bool Contains(string text) =>
        Lines(int.MaxValue).Any(l => l.Contains(text, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<string> Lines(int lineCount)
    {
        lock (_lock)
        {
            var take = Math.Min(lineCount, _count);
            var result = new string[take];
            var start = (_next - take + _lines.Length) % _lines.Length;
            for (var i = 0; i < take; i++)
                result[i] = _lines[(start + i) % _lines.Length];
            return result;
        }
    }
}
