using Headroom.Gateway.Federation;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Gateway.Tests;

/// <summary>
/// When a shard still waiting for a pushed query is due a hedge (<see cref="PushRound"/>): once at least half of the
/// other shards have finished, the patience (or as long again as they took) after the last of them did. On a fake
/// clock, so every instant is exact.
/// </summary>
public sealed class PushRoundTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    // Long enough for a continuation the clock set off to run: a hedge not due by then was not due at that instant.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Two_shards_of_four_hung_are_both_due_the_patience_after_the_other_two_finished()
    {
        var time = new FakeTimeProvider();
        var round = new PushRound(4, time);
        var c = round.HedgeDueAsync(Patience, CancellationToken.None);
        var d = round.HedgeDueAsync(Patience, CancellationToken.None);

        await FinishAtAsync(round, time, TimeSpan.FromMilliseconds(100));
        await FinishAtAsync(round, time, TimeSpan.FromMilliseconds(200));
        await AdvanceToAsync(round, time, TimeSpan.FromMilliseconds(5199));
        Assert.False(c.IsCompleted);
        Assert.False(d.IsCompleted);

        await AdvanceToAsync(round, time, TimeSpan.FromMilliseconds(5200));
        await Task.WhenAll(c, d).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    [InlineData(5, 2)]
    [InlineData(6, 3)]
    [InlineData(10, 5)]
    public async Task Fewer_than_half_of_the_other_shards_finished_is_never_due(int shards, int half)
    {
        var time = new FakeTimeProvider();
        var round = new PushRound(shards, time);
        var due = round.HedgeDueAsync(Patience, CancellationToken.None);

        for (var i = 1; i < half; i++)
        {
            await FinishAtAsync(round, time, TimeSpan.FromSeconds(i));
        }
        await AdvanceToAsync(round, time, TimeSpan.FromMinutes(10));
        Assert.False(due.IsCompleted, $"due with {half - 1} of {shards - 1} other shards finished");

        await FinishAtAsync(round, time, TimeSpan.FromMinutes(10));
        await AdvanceToAsync(round, time, TimeSpan.FromMinutes(20) - TimeSpan.FromMilliseconds(1));
        Assert.False(due.IsCompleted);
        await AdvanceToAsync(round, time, TimeSpan.FromMinutes(20));
        await due.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task With_one_shard_slow_the_hedge_is_due_after_the_last_other_shard_as_before()
    {
        var time = new FakeTimeProvider();
        var round = new PushRound(3, time);
        var due = round.HedgeDueAsync(Patience, CancellationToken.None);

        // The first to finish is half of the others: due at 6 s, until the second finishes at 4 s and moves it to 9 s.
        await FinishAtAsync(round, time, TimeSpan.FromSeconds(1));
        await FinishAtAsync(round, time, TimeSpan.FromSeconds(4));
        await AdvanceToAsync(round, time, TimeSpan.FromMilliseconds(8999));
        Assert.False(due.IsCompleted);

        await AdvanceToAsync(round, time, TimeSpan.FromSeconds(9));
        await due.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Shards_slow_alike_under_load_wait_as_long_again_as_the_others_took()
    {
        var time = new FakeTimeProvider();
        var round = new PushRound(4, time);
        var due = round.HedgeDueAsync(Patience, CancellationToken.None);

        // The others took 8, 9 and 10 s: the last shard would answer at 16 s, more than the patience after them.
        await FinishAtAsync(round, time, TimeSpan.FromSeconds(8));
        await FinishAtAsync(round, time, TimeSpan.FromSeconds(9));
        await FinishAtAsync(round, time, TimeSpan.FromSeconds(10));
        await AdvanceToAsync(round, time, TimeSpan.FromMilliseconds(19_999));
        Assert.False(due.IsCompleted);

        await AdvanceToAsync(round, time, TimeSpan.FromSeconds(20));
        await due.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_hedged_shard_finishing_does_not_put_off_another_shards_hedge()
    {
        var time = new FakeTimeProvider();
        var round = new PushRound(4, time);
        var due = round.HedgeDueAsync(Patience, CancellationToken.None);

        await FinishAtAsync(round, time, TimeSpan.FromMilliseconds(100));
        await FinishAtAsync(round, time, TimeSpan.FromMilliseconds(200));
        await AdvanceToAsync(round, time, TimeSpan.FromSeconds(3));
        round.Finished(hedged: true, answered: true);

        await AdvanceToAsync(round, time, TimeSpan.FromMilliseconds(5200));
        await due.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Shards_that_answered_nothing_are_no_evidence_until_every_other_shard_has_finished()
    {
        var time = new FakeTimeProvider();
        var round = new PushRound(4, time);
        var due = round.HedgeDueAsync(Patience, CancellationToken.None);

        // Two shards without the metric answer at once; the two holding it are slow alike under load.
        await FinishAtAsync(round, time, TimeSpan.FromMilliseconds(10), answered: false);
        await FinishAtAsync(round, time, TimeSpan.FromMilliseconds(20), answered: false);
        await AdvanceToAsync(round, time, TimeSpan.FromSeconds(12));
        Assert.False(due.IsCompleted, "hedged on the word of two shards that did no work");

        // The other shard holding the metric answers at 12 s: it alone is less than half of the others, but every other
        // shard has now finished, so this one is due as long again after it.
        await FinishAtAsync(round, time, TimeSpan.FromSeconds(12));
        await AdvanceToAsync(round, time, TimeSpan.FromMilliseconds(23_999));
        Assert.False(due.IsCompleted);
        await AdvanceToAsync(round, time, TimeSpan.FromSeconds(24));
        await due.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_shard_that_failed_on_every_replica_is_no_evidence_either()
    {
        var time = new FakeTimeProvider();
        var round = new PushRound(4, time);
        var due = round.HedgeDueAsync(Patience, CancellationToken.None);

        await FinishAtAsync(round, time, TimeSpan.FromMilliseconds(10), answered: false);
        await FinishAtAsync(round, time, TimeSpan.FromSeconds(1));
        await AdvanceToAsync(round, time, TimeSpan.FromMinutes(5));
        Assert.False(due.IsCompleted, "one answer of three others is less than half");

        await FinishAtAsync(round, time, TimeSpan.FromMinutes(5));
        await AdvanceToAsync(round, time, TimeSpan.FromMinutes(10));
        await due.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_lone_shard_is_due_the_patience_after_the_start()
    {
        var time = new FakeTimeProvider();
        var round = new PushRound(1, time);
        var due = round.HedgeDueAsync(Patience, CancellationToken.None);

        await AdvanceToAsync(round, time, Patience - TimeSpan.FromMilliseconds(1));
        Assert.False(due.IsCompleted);
        await AdvanceToAsync(round, time, Patience);
        await due.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_shard_that_has_its_answer_stops_waiting()
    {
        var round = new PushRound(4, new FakeTimeProvider());
        using var answered = new CancellationTokenSource();
        var due = round.HedgeDueAsync(Patience, answered.Token);

        await answered.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => due.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task FinishAtAsync(PushRound round, FakeTimeProvider time, TimeSpan at, bool answered = true)
    {
        await AdvanceToAsync(round, time, at);
        round.Finished(hedged: false, answered);
    }

    private static async Task AdvanceToAsync(PushRound round, FakeTimeProvider time, TimeSpan at)
    {
        time.Advance(at - round.Elapsed);
        await Task.Delay(Settle);
    }
}
