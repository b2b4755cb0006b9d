using Dapper;

namespace Headroom.Warehouse;

/// <summary>The waste reads (<see cref="WasteSql"/>).</summary>
internal abstract partial class SqlWarehouse : IWasteQueries
{
    public Task<IReadOnlyList<WasteResource>> ReadResourcesAsync(string profile, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default) =>
        QueryAsync(WasteSql.Resources, new { profile, start = Ts(start), end = Ts(end) },
            static r => new WasteResource(Resource(r), r.IsDBNull(5) ? new Dictionary<string, string>() : LabelJson.Read(r.GetString(5)),
                Timestamps.Read(r, 6), Timestamps.Read(r, 7)),
            cancellationToken);

    public Task<IReadOnlyList<WasteHour>> ReadHoursAsync(string profile, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default) =>
        QueryAsync(WasteSql.Hours, new { profile, start = Ts(start), end = Ts(end) },
            static r => new WasteHour(r.GetString(0), r.GetString(1), Timestamps.Read(r, 2), r.GetDouble(3), r.GetDouble(4), Long(r, 5)),
            cancellationToken);

    public Task<IReadOnlyList<WasteHour>> ReadHoursAsync(string profile, string dimension, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default) =>
        QueryAsync(WasteSql.DimensionHours, new { profile, dim = dimension, start = Ts(start), end = Ts(end) },
            static r => new WasteHour(r.GetString(0), r.GetString(1), Timestamps.Read(r, 2), r.GetDouble(3), r.GetDouble(4), Long(r, 5)),
            cancellationToken);

    public async Task<DateTimeOffset?> LatestHourAsync(string profile, CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var reader = await connection.ExecuteReaderAsync(Definition(WasteSql.LatestHour, new { profile }, null, cancellationToken)).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(0))
            return null;
        return Timestamps.Read(reader, 0);
    }
}
