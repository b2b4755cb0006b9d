using Headroom.PromQL;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>One series of a remote read answer and the query (its index in the request) it answers.</summary>
/// <param name="QueryIndex">The position of the query in the request.</param>
/// <param name="Series">The series, with its float samples in the query's time range.</param>
public readonly record struct RemoteReadSeries(int QueryIndex, Series Series);
