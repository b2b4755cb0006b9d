using Headroom.Warehouse;

namespace Headroom.Etl;

public sealed partial class EtlRunner
{
    /// <summary>Reason of the gaps of a window whose source could not be read (AssumeRole denied, calls failing after retries).</summary>
    public const string SourceUnavailableReason = "source_unavailable";

    /// <summary>
    /// Commits a window the source could not be read for: every hour of every dimension becomes a gap (or counts another
    /// attempt on an open one) and the watermark moves as it would have, so other windows and sources go on and later runs
    /// retry these hours while the source still holds their data.
    /// </summary>
    private async Task CommitUnavailableAsync(EtlOptions options, long runId, DateTimeOffset start, DateTimeOffset end, bool advance, string why, Tally tally, bool newGapsCount, CancellationToken cancellationToken)
    {
        var profile = options.Profile;
        var gaps = new List<GapOpening>();
        foreach (var dimension in profile.Dimensions)
        {
            for (var hour = start; hour < end; hour = hour.AddHours(1))
                gaps.Add(new GapOpening(dimension.Name, hour, hour.AddHours(1), SourceUnavailableReason));
        }
        var commit = new WindowCommit(runId, profile.Name, options.Source, start, end)
        {
            OpenGaps = gaps,
            Dimensions = [.. profile.Dimensions.Select(d => d.Name)],
            AdvanceWatermark = advance,
        };
        await _warehouse.CommitWindowAsync(commit, cancellationToken).ConfigureAwait(false);
        if (newGapsCount)
            tally.GapsOpened += gaps.Count;
        lock (tally.Unavailable)
            tally.Unavailable.Add($"{ExtractionQuery.Describe(start, end)}: {why}");
    }
}
