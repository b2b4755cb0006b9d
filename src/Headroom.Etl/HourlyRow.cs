namespace Headroom.Etl;

/// <summary>Hourly statistics of one dimension of one resource, as extracted from Prometheus (before validation).</summary>
/// <param name="Labels">The series' labels: the identity labels and whatever else the expression kept.</param>
/// <param name="Dimension">The dimension's name.</param>
/// <param name="HourStart">Start of the hour, UTC.</param>
/// <param name="Samples">Points of the inner series within the hour.</param>
/// <param name="Expected">Points the hour should have at the profile's resolution (or the rule's interval).</param>
public sealed record HourlyRow(
    IReadOnlyDictionary<string, string> Labels,
    string Dimension,
    DateTimeOffset HourStart,
    double Avg,
    double Min,
    double Max,
    double P95,
    long Samples,
    long Expected);
