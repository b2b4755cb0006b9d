using System.Data.Common;
using Dapper;

namespace Headroom.Warehouse;

/// <summary>Plain row reads (resources, hourly, daily, quarantine) and the shared query helper.</summary>
internal abstract partial class SqlWarehouse
{
    public Task<IReadOnlyList<ResourceRecord>> ReadResourcesAsync(string profile, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT resource_key, identity_json, first_seen, last_seen, account, region, instance_type, name, metadata_json FROM resources " +
                   "WHERE profile = @profile ORDER BY resource_hash",
            new { profile },
            static r => new ResourceRecord(r.GetString(0), LabelJson.Read(r.GetString(1)), Timestamps.Read(r, 2), Timestamps.Read(r, 3))
            {
                Account = NullableString(r, 4),
                Region = NullableString(r, 5),
                InstanceType = NullableString(r, 6),
                Name = NullableString(r, 7),
                Metadata = LabelJson.Read(r.GetString(8)),
            },
            cancellationToken);

    public Task<IReadOnlyList<HourlyUtilization>> ReadHourlyAsync(string profile, string? dimension = null, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT r.resource_key, h.dimension, h.hour_start, h.avg_value, h.min_value, h.max_value, h.p95_value, h.max_5m_value, h.samples, h.expected " +
                   "FROM utilization_hourly h JOIN resources r ON r.id = h.resource_id WHERE r.profile = @profile" +
                   (dimension is null ? "" : " AND h.dimension = @dimension") + " ORDER BY r.resource_hash, h.dimension, h.hour_start",
            new { profile, dimension },
            static r => new HourlyUtilization(r.GetString(0), r.GetString(1), Timestamps.Read(r, 2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5),
                r.GetDouble(6), r.IsDBNull(7) ? null : r.GetDouble(7), Convert.ToInt64(r.GetValue(8), null), Convert.ToInt64(r.GetValue(9), null)),
            cancellationToken);

    public Task<IReadOnlyList<DailyUtilization>> ReadDailyAsync(string profile, string? dimension = null, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT r.resource_key, d.dimension, d.day, d.avg_value, d.min_value, d.max_value, d.p95_value, d.max_5m_value, d.samples, d.expected, d.hours " +
                   "FROM utilization_daily d JOIN resources r ON r.id = d.resource_id WHERE r.profile = @profile" +
                   (dimension is null ? "" : " AND d.dimension = @dimension") + " ORDER BY r.resource_hash, d.dimension, d.day",
            new { profile, dimension },
            static r => new DailyUtilization(r.GetString(0), r.GetString(1), Timestamps.ReadDay(r, 2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5),
                r.GetDouble(6), r.IsDBNull(7) ? null : r.GetDouble(7), Convert.ToInt64(r.GetValue(8), null), Convert.ToInt64(r.GetValue(9), null),
                Convert.ToInt32(r.GetValue(10), null)),
            cancellationToken);

    public Task<IReadOnlyList<QuarantinedRow>> ReadQuarantineAsync(string profile, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT dimension, resource_key, period_start, reason, payload FROM quarantine WHERE profile = @profile ORDER BY period_start, dimension, id",
            new { profile },
            static r => new QuarantinedRow(r.GetString(0), NullableString(r, 1), Timestamps.Read(r, 2), r.GetString(3), r.GetString(4)),
            cancellationToken);

    private static string? NullableString(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var reader = await connection.ExecuteReaderAsync(Definition(sql, parameters, null, cancellationToken)).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            rows.Add(read(reader));
        return rows;
    }
}
