namespace Headroom.PromQL.Syntax;

/// <summary>
/// A half-open range <c>[Start, End)</c> of character offsets into the query text.
/// Offsets count UTF-16 code units of the .NET string, not UTF-8 bytes as in Prometheus.
/// </summary>
/// <param name="Start">Offset of the first character.</param>
/// <param name="End">Offset just past the last character.</param>
public readonly record struct PositionRange(int Start, int End)
{
    /// <summary>The smallest range covering both ranges.</summary>
    public PositionRange Union(PositionRange other) =>
        new(Math.Min(Start, other.Start), Math.Max(End, other.End));

    /// <summary>
    /// The one-based <c>line:column</c> of <see cref="Start"/> in <paramref name="query"/>, as Prometheus
    /// prints it in front of parse errors.
    /// </summary>
    public string StartLineColumn(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var pos = Math.Clamp(Start, 0, query.Length);
        var before = query.AsSpan(0, pos);
        var line = before.Count('\n');
        var lastBreak = before.LastIndexOf('\n');
        return $"{line + 1}:{pos - lastBreak}";
    }
}
