using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>One query of a remote read request: series matching all matchers, samples in [start, end].</summary>
/// <param name="Matchers">Label matchers that must all hold.</param>
/// <param name="StartMs">The earliest sample time, inclusive, in milliseconds since the epoch.</param>
/// <param name="EndMs">The latest sample time, inclusive, in milliseconds since the epoch.</param>
/// <param name="Hints">What the reader will do with the data; the server may use them to read less.</param>
public sealed record RemoteReadQuery(IReadOnlyList<LabelMatcher> Matchers, long StartMs, long EndMs, SelectHints? Hints = null);
