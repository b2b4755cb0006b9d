using Headroom.Prometheus.Exposition;

namespace Headroom.Fleet;

/// <summary>What to write as history: the time range, the step and the job label the scrape config will add.</summary>
/// <param name="Start">First sample time (rounded up to a multiple of <paramref name="Step"/>).</param>
/// <param name="End">Last sample time, inclusive.</param>
/// <param name="Step">Time between samples; 60 s matches a one-minute scrape interval.</param>
/// <param name="Job">The <c>job</c> label, equal to the scrape config's job name (default <c>fleet</c>).</param>
public sealed record HistoryOptions(DateTimeOffset Start, DateTimeOffset End, TimeSpan Step, string Job = FleetTargets.DefaultJob)
{
    /// <summary>
    /// Put each host's <see cref="FleetTargets.Metadata"/> on every series, as Prometheus does with target labels; for
    /// a fleet scraped through <see cref="FleetTargets.For"/> with metadata (default false).
    /// </summary>
    public bool TargetLabels { get; init; }

    /// <summary>
    /// With <see cref="TargetLabels"/>: the instance ids an EC2 API (moto_server, in the AWS tests) gave the hosts, by host id;
    /// their <c>instance_id</c> target label carries these instead of <see cref="SimulatedHost.InstanceId"/>, as EC2 service
    /// discovery would, so the node_exporter view matches the CloudWatch view of the same instances.
    /// </summary>
    public IReadOnlyDictionary<string, string>? InstanceIds { get; init; }

    internal IReadOnlyList<KeyValuePair<string, string>> TargetLabelsOf(SimulatedHost host) =>
        InstanceIds?.TryGetValue(host.Id, out var id) == true
            ? [.. FleetTargets.Metadata(host).Select(l => l.Key == "instance_id" ? new KeyValuePair<string, string>(l.Key, id) : l)]
            : FleetTargets.Metadata(host);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field and how to fix it.</summary>
    public void Validate()
    {
        if (Step < TimeSpan.FromSeconds(1) || Step.Ticks % TimeSpan.TicksPerMillisecond != 0)
            throw new ArgumentException($"step must be at least 1s and a whole number of milliseconds, got {Step}", nameof(Step));
        if (End <= Start)
            throw new ArgumentException($"the history must end after it starts (start {Start:O}, end {End:O})", nameof(End));
        if (Start < FleetClock.Epoch)
            throw new ArgumentException($"the simulated fleet starts on {FleetClock.Epoch:yyyy-MM-dd}; choose a later start or fewer days", nameof(Start));
        if (string.IsNullOrWhiteSpace(Job))
            throw new ArgumentException("the job label must not be empty", nameof(Job));
    }

    internal long[] Timestamps()
    {
        var step = (long)Step.TotalMilliseconds;
        var first = (Start.ToUnixTimeMilliseconds() + step - 1) / step * step;
        var last = End.ToUnixTimeMilliseconds();
        var count = first > last ? 0 : ((last - first) / step) + 1;
        var result = new long[count];
        for (var i = 0; i < count; i++)
            result[i] = first + (i * step);
        return result;
    }
}

/// <summary>One gauge series of a history: its labels and its value at a sample time (NaN: no sample then).</summary>
public sealed record HistorySeries(IReadOnlyList<KeyValuePair<string, string>> Labels, Func<DateTimeOffset, double> ValueAt);

/// <summary>A gauge family of a history: its name, help text and series.</summary>
public sealed record HistoryFamily(string Name, string Help, IReadOnlyList<HistorySeries> Series);

/// <summary>Counts of what a history run wrote.</summary>
public sealed record HistoryStats(long Series, long Samples, long Bytes);

/// <summary>
/// Writes the fleet's past as OpenMetrics text with timestamps, ready for
/// <c>promtool tsdb create-blocks-from openmetrics</c>. Streams family by family, host by host, series by
/// series, so memory stays flat whatever the fleet size and time range.
/// </summary>
public static class FleetHistory
{
    // History files run to tens of gigabytes: hand them over a mebibyte at a time (the writer's default is 64 KiB).
    private const int HistoryBufferSize = 1 << 20;

    /// <summary>Writes the history of <paramref name="fleet"/> to <paramref name="output"/>.</summary>
    /// <param name="progress">Receives the fraction done (0..1) after each host of each family.</param>
    public static HistoryStats Write(SimulatedFleet fleet, HistoryOptions options, Stream output, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var timestamps = options.Timestamps();
        using var writer = new ExpositionWriter(output, ExpositionFormat.OpenMetrics, HistoryBufferSize);
        long series = 0, samples = 0;
        var steps = (double)FleetMetrics.Families.Count * fleet.Hosts.Count;
        var done = 0;
        foreach (var family in FleetMetrics.Families)
        {
            writer.WriteHelp(family.OpenMetricsName, family.Help);
            writer.WriteType(family.OpenMetricsName, family.TypeName);
            foreach (var host in fleet.Hosts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var firstAfterBoot = FirstAfter(timestamps, host.BootTime.ToUnixTimeMilliseconds());
                var targetLabels = options.TargetLabels ? options.TargetLabelsOf(host) : [];
                foreach (var s in FleetMetrics.SeriesOf(host, family))
                {
                    var prefix = ExpositionWriter.Series(family.Name, options.TargetLabels
                        ? WithTargetLabels(targetLabels, [new("instance", host.Id), new("job", options.Job)], s.Labels)
                        : [new("instance", host.Id), new("job", options.Job), .. s.Labels]);
                    for (var i = firstAfterBoot; i < timestamps.Length; i++)
                    {
                        var ms = timestamps[i];
                        writer.WriteSample(prefix, s.ValueAt(FleetClock.ToFleetSeconds(ms)), ms);
                    }
                    series++;
                    samples += timestamps.Length - firstAfterBoot;
                }
                progress?.Report(++done / steps);
            }
        }
        writer.WriteEof();
        writer.Flush();
        return new HistoryStats(series, samples, writer.BytesWritten);
    }

    /// <summary>
    /// Writes gauge families given as functions of time, e.g. what an exporter of the fleet would have served,
    /// at <paramref name="options"/>' sample times. Labels are written as given, sorted by name (escaped as
    /// OpenMetrics requires); <see cref="HistoryOptions.Job"/> is not added. A NaN value writes no sample.
    /// </summary>
    public static HistoryStats WriteGauges(IReadOnlyList<HistoryFamily> families, HistoryOptions options, Stream output, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var timestamps = options.Timestamps();
        using var writer = new ExpositionWriter(output, ExpositionFormat.OpenMetrics, HistoryBufferSize);
        long series = 0, samples = 0;
        var steps = (double)Math.Max(1, families.Sum(static f => f.Series.Count));
        var done = 0;
        foreach (var family in families)
        {
            writer.WriteHelp(family.Name, family.Help);
            writer.WriteType(family.Name, "gauge");
            foreach (var s in family.Series)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var prefix = ExpositionWriter.Series(family.Name, [.. s.Labels.OrderBy(static l => l.Key, StringComparer.Ordinal)]);
                var written = 0L;
                foreach (var ms in timestamps)
                {
                    var value = s.ValueAt(DateTimeOffset.FromUnixTimeMilliseconds(ms));
                    if (double.IsNaN(value))
                        continue;
                    writer.WriteSample(prefix, value, ms);
                    written++;
                }
                series += written > 0 ? 1 : 0;
                samples += written;
                progress?.Report(++done / steps);
            }
        }
        writer.WriteEof();
        writer.Flush();
        return new HistoryStats(series, samples, writer.BytesWritten);
    }

    /// <summary>
    /// A series' labels as Prometheus stores a scrape with target labels (honor_labels false): a label of the series that
    /// a target label also names is kept as <c>exported_NAME</c> (headroom_host_info's own <c>account</c>, for one).
    /// </summary>
    private static KeyValuePair<string, string>[] WithTargetLabels(
        IReadOnlyList<KeyValuePair<string, string>> target, KeyValuePair<string, string>[] identity, IReadOnlyList<KeyValuePair<string, string>> own)
    {
        var names = target.Select(static l => l.Key).ToHashSet(StringComparer.Ordinal);
        return [.. target.Concat(identity)
            .Concat(own.Select(l => names.Contains(l.Key) ? new KeyValuePair<string, string>("exported_" + l.Key, l.Value) : l))
            .OrderBy(static l => l.Key, StringComparer.Ordinal)];
    }

    private static int FirstAfter(long[] timestamps, long bootMs)
    {
        var i = Array.BinarySearch(timestamps, bootMs);
        return i >= 0 ? i : ~i;
    }
}
