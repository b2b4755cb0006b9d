using System.Runtime.CompilerServices;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Tests;

/// <summary>A shard that is down: every call fails the way an unreachable replica does.</summary>
internal sealed class DownSource(string reason) : ISeriesSource
{
    public SourceInfo Info => SourceInfo.Unbounded;

    public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new HttpRequestException(reason);
#pragma warning disable CS0162 // an async iterator needs a yield
        yield break;
#pragma warning restore CS0162
    }

    public Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
        CancellationToken cancellationToken = default) => Task.FromException<IReadOnlyList<string>>(new HttpRequestException(reason));

    public Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default) => Task.FromException<IReadOnlyList<string>>(new HttpRequestException(reason));
}

/// <summary>
/// A source that answers after a delay (on <paramref name="time"/>, the system's clock by default), and records whether
/// a caller gave up (cancelled) while it waited.
/// </summary>
internal sealed class SlowSource(ISeriesSource inner, TimeSpan delay, TimeProvider? time = null) : ISeriesSource
{
    private int _cancelled;
    private int _started;

    public int Cancelled => Volatile.Read(ref _cancelled);

    public int Started => Volatile.Read(ref _started);

    public SourceInfo Info => inner.Info;

    public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var waiting = Task.Delay(delay, time ?? TimeProvider.System, cancellationToken);
        // Counted once the delay is set, so a test that sees the request start and then moves a fake clock moves it.
        Interlocked.Increment(ref _started);
        try
        {
            await waiting;
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancelled);
            throw;
        }
        await foreach (var s in inner.SelectAsync(matchers, minT, maxT, hints, warnings, cancellationToken))
        {
            yield return s;
        }
    }

    public Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
        CancellationToken cancellationToken = default) => inner.LabelNamesAsync(matchers, minT, maxT, warnings, cancellationToken);

    public Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default) => inner.LabelValuesAsync(name, matchers, minT, maxT, warnings, cancellationToken);
}
