using System.Runtime.CompilerServices;
using Dapper;

namespace Headroom.Warehouse;

/// <summary>
/// The history an archive reads (<see cref="IWarehouseHistory"/>). Each read is one query per dimension so that it
/// runs on the <c>(dimension, hour_start)</c> and <c>(dimension, day)</c> indexes instead of scanning the table.
/// The rows are not joined to <c>resources</c>: the resources are read once per call into a map by id, so that each
/// row costs one string (SQLite's timestamp) instead of six. The export reads every hourly row through here; with the
/// join, materialising the strings was three quarters of a day's read (issue 15's breakdown, docs/benchmarks.md).
/// </summary>
internal abstract partial class SqlWarehouse : IWarehouseHistory
{
    // "resources r CROSS JOIN utilization_hourly h": SQLite then loops over resources and seeks each one's rows on the
    // hourly primary key (resource_id, dimension, hour_start), reading them in key order; filtered on the
    // (dimension, hour_start) index instead it looks up every row's key at random, which took 2-3 times the CPU for a
    // day of 1,000 resources (sqlite3 .timer, issue 15). PostgreSQL and MariaDB plan a CROSS JOIN like any inner join.
    private const string HourlyHistorySql =
        "SELECT h.resource_id, h.hour_start, h.avg_value, h.min_value, h.max_value, h.p95_value, h.max_5m_value, h.samples, h.expected " +
        "FROM resources r CROSS JOIN utilization_hourly h WHERE h.resource_id = r.id AND h.dimension = @dim AND h.hour_start >= @start AND h.hour_start < @end";

    private const string DailyHistorySql =
        "SELECT resource_id, day, avg_value, min_value, max_value, p95_value, max_5m_value, samples, expected, hours FROM utilization_daily " +
        "WHERE dimension = @dim AND day >= @from AND day < @to";

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
        var places = await ReadPlacesAsync(cancellationToken).ConfigureAwait(false);
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
                var place = places[Convert.ToInt64(reader.GetValue(0), null)];
                yield return new HourlyHistoryRow(place.Profile, place.Account, place.Region,
                    new HourlyUtilization(place.Key, dimension, Timestamps.Read(reader, 1), reader.GetDouble(2), reader.GetDouble(3),
                        reader.GetDouble(4), reader.GetDouble(5), reader.IsDBNull(6) ? null : reader.GetDouble(6), Convert.ToInt64(reader.GetValue(7), null),
                        Convert.ToInt64(reader.GetValue(8), null)));
            }
        }
    }

    public async IAsyncEnumerable<DailyHistoryRow> ReadDailyRangeAsync(DateOnly from, DateOnly to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var places = await ReadPlacesAsync(cancellationToken).ConfigureAwait(false);
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
                var place = places[Convert.ToInt64(reader.GetValue(0), null)];
                yield return new DailyHistoryRow(place.Profile, place.Account, place.Region,
                    new DailyUtilization(place.Key, dimension, Timestamps.ReadDay(reader, 1), reader.GetDouble(2), reader.GetDouble(3),
                        reader.GetDouble(4), reader.GetDouble(5), reader.IsDBNull(6) ? null : reader.GetDouble(6), Convert.ToInt64(reader.GetValue(7), null),
                        Convert.ToInt64(reader.GetValue(8), null), Convert.ToInt32(reader.GetValue(9), null)));
            }
        }
    }

    /// <summary>Every resource's profile, key, account and region by id (the rows' <c>resource_id</c>).</summary>
    private async Task<Dictionary<long, (string Profile, string Key, string? Account, string? Region)>> ReadPlacesAsync(CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT id, profile, resource_key, account, region FROM resources", null,
            static r => (Id: Convert.ToInt64(r.GetValue(0), null), Profile: r.GetString(1), Key: r.GetString(2), Account: NullableString(r, 3), Region: NullableString(r, 4)),
            cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Id, r => (r.Profile, r.Key, r.Account, r.Region));
    }

    public Task<IReadOnlyList<string>> ListProfilesAsync(CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT DISTINCT profile FROM resources ORDER BY profile", null, static r => r.GetString(0), cancellationToken);

    public async Task<IReadOnlyList<(string Profile, ResourceRecord Resource)>> ReadAllResourcesAsync(CancellationToken cancellationToken = default)
    {
        var profiles = await ListProfilesAsync(cancellationToken).ConfigureAwait(false);
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
