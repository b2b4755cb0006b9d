namespace Headroom.PromQL.Storage;

/// <summary>
/// Non-fatal problems raised by sources while answering one query (a shard down, partial data, a deduplication
/// note). Safe to add to from concurrent selections; each distinct message is kept once, in arrival order.
/// </summary>
public sealed class SourceWarnings
{
    private readonly List<string> _messages = [];

    /// <summary>The warnings so far.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Whether any warning was raised.</summary>
    public bool Any
    {
        get
        {
            lock (_messages)
            {
                return _messages.Count > 0;
            }
        }
    }

    /// <summary>Adds <paramref name="message"/> unless it is already there.</summary>
    public void Add(string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(message);
        lock (_messages)
        {
            if (!_messages.Contains(message))
            {
                _messages.Add(message);
            }
        }
    }
}
