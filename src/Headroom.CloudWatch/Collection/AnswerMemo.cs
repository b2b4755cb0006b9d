using System.Collections.Concurrent;

namespace Headroom.CloudWatch.Collection;

/// <summary>
/// AWS answers by request, for as long as its owner lives (one discovery, one collection pass): the first ask calls, later
/// asks for the same key share that call. A call that failed or was cancelled is not kept: the next ask calls again and
/// meets its own error, as it would have without the memo.
/// </summary>
internal sealed class AnswerMemo
{
    private readonly ConcurrentDictionary<string, Task> _answers = new(StringComparer.Ordinal);

    /// <summary>The answer of <paramref name="call"/> under <paramref name="key"/>, which names the operation and everything it was asked with.</summary>
    public Task<T> OnceAsync<T>(string key, Func<Task<T>> call)
    {
        if (_answers.TryGetValue(key, out var known) && known is Task<T> answer && !answer.IsFaulted && !answer.IsCanceled)
            return answer;
        var asked = call();
        _answers[key] = asked;
        return asked;
    }
}
