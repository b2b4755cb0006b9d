using System.Runtime.CompilerServices;
using Dapper;

namespace Headroom.Warehouse;

/// <summary>
/// The history an archive reads (<see cref="IWarehouseHistory"/>). Each read is one query per dimension so that it
/// runs on the <c>(dimension, hour_start)</c> and <c>(dimension, day)</c> indexes instead of scanning the table.
/// </summary>
internal abstract partial class SqlWarehouse : IWarehouseHistory
{
    private const string HourlyHistorySql =
        "SELECT r.profile, r.account, r.region, r.resource_key, h.dimension, h.hour_start, h.avg_value, h.min_value, h.max_value, h.p95_value, " +
        "h.max_5m_value, h.samples, h.expected FROM utilization_hourly h JOIN resources r ON r.id = h.resource_id " +
        "WHERE h.dimension = @dim AND h.hour_start >= @start AND h.hour_start < @end";

    private const string DailyHistorySql =
        "SELECT r.profile, r.account, r.region, r.resource_key, d.dimension, d.day, d.avg_value, d.min_value, d.max_value, d.p95_value, " +
        "d.max_5m_value, d.samples, d.expected, d.hours FROM utilization_daily d JOIN resources r ON r.id = d.resource_id " +
        "WHERE d.dimension = @dim AND d.day >= @from AND d.day < @to";

    public async Task<IReadOnlyList<string>> ListDimensionsAsync(CancellationToken cancellationToken = default) =>
        await QueryAsync("SELECT DISTINCT dimension FROM utilization_daily ORDER BY dimension", null, static r => r.GetString(0), cancellationToken).ConfigureAwait(false);

    public async Task<HourRange?> GetHourlyRangeAsync(CancellationToken cancellationToken = default)
    {
        DateTimeOffset? first = null, last = null;
        foreach (var dimension in await ListDimensionsAsync(cancellationToken).ConfigureAwait(false))
        {
            var range = await QueryAsync("SELECT MIN(hour_start), MAX(hour_start) FROM utilization_hourly WHERE dimension = @dim", new { dim = dimension },
                static r => (First: Timestamps.ReadNullable(r, 0), Last: Timestamps.ReadNullable(r, 1)), cancellationToken).ConfigureAwait(false);
            if (range[0].First is { } f && (first is null || f < first))
                first = f;
            if (range[0].Last is { } l && (last is null || l > last))
                last = l;
        }
        return first is null ? null : new HourRange(first.Value, last!.Value);
    }

    public async Task<(DateOnly First, DateOnly Last)?> GetDailyRangeAsync(CancellationToken cancellationToken = default)
    {
        var range = await QueryAsync("SELECT MIN(day), MAX(day) FROM utilization_daily", null,
            static r => r.IsDBNull(0) ? ((DateOnly, DateOnly)?)null : (Timestamps.ReadDay(r, 0), Timestamps.ReadDay(r, 1)), cancellationToken).ConfigureAwait(false);
        return range[0];
    }

    public async IAsyncEnumerable<HourlyHistoryRow> ReadHourlyDayAsync(DateOnly day, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        foreach (var dimension in await ListDimensionsAsync(cancellationToken).ConfigureAwait(false))
        {
            var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var command = Command(connection, null, HourlyHistorySql);
            await using var commandDisposal = command.ConfigureAwait(false);
            Add(command, "@dim", dimension);
            Add(command, "@start", Ts(start));
            Add(command, "@end", Ts(start.AddDays(1)));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new HourlyHistoryRow(reader.GetString(0), NullableString(reader, 1), NullableString(reader, 2),
                    new HourlyUtilization(reader.GetString(3), reader.GetString(4), Timestamps.Read(reader, 5), reader.GetDouble(6), reader.GetDouble(7),
                        reader.GetDouble(8), reader.GetDouble(9), reader.IsDBNull(10) ? null : reader.GetDouble(10), Convert.ToInt64(reader.GetValue(11), null),
                        Convert.ToInt64(reader.GetValue(12), null)));
            }
        }
    }

    public async IAsyncEnumerable<DailyHistoryRow> ReadDailyRangeAsync(DateOnly from, DateOnly to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var dimension in await ListDimensionsAsync(cancellationToken).ConfigureAwait(false))
        {
            var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var command = Command(connection, null, DailyHistorySql);
            await using var commandDisposal = command.ConfigureAwait(false);
            Add(command, "@dim", dimension);
            Add(command, "@from", DayValue(from));
            Add(command, "@to", DayValue(to));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new DailyHistoryRow(reader.GetString(0), NullableString(reader, 1), NullableString(reader, 2),
                    new DailyUtilization(reader.GetString(3), reader.GetString(4), Timestamps.ReadDay(reader, 5), reader.GetDouble(6), reader.GetDouble(7),
                        reader.GetDouble(8), reader.GetDouble(9), reader.IsDBNull(10) ? null : reader.GetDouble(10), Convert.ToInt64(reader.GetValue(11), null),
                        Convert.ToInt64(reader.GetValue(12), null), Convert.ToInt32(reader.GetValue(13), null)));
            }
        }
    }

    public async Task<IReadOnlyList<(string Profile, ResourceRecord Resource)>> ReadAllResourcesAsync(CancellationToken cancellationToken = default)
    {
        var profiles = await QueryAsync("SELECT DISTINCT profile FROM resources ORDER BY profile", null, static r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        var result = new List<(string, ResourceRecord)>();
        foreach (var profile in profiles)
            result.AddRange((await ReadResourcesAsync(profile, cancellationToken).ConfigureAwait(false)).Select(r => (profile, r)));
        return result;
    }

    public async Task<long> DeleteHourlyDayAsync(DateOnly day, long expectedRows, CancellationToken cancellationToken = default)
    {
        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var dimensions = await ListDimensionsAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        long deleted = 0;
        foreach (var dimension in dimensions)
        {
            deleted += await connection.ExecuteAsync(Definition(
                "DELETE FROM utilization_hourly WHERE dimension = @dim AND hour_start >= @start AND hour_start < @end",
                new { dim = dimension, start = Ts(start), end = Ts(start.AddDays(1)) }, transaction, cancellationToken)).ConfigureAwait(false);
        }
        // The count is checked on what this transaction deleted, so a row written between the caller's proof and
        // this delete makes it roll back instead of deleting a row that was never archived.
        if (deleted != expectedRows)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            throw new WarehouseException($"the hourly rows of {day:yyyy-MM-dd} changed while pruning ({deleted} rows, {expectedRows} archived); nothing was deleted. Export the day again and retry.");
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

}
