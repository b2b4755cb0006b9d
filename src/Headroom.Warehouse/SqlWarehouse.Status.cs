using System.Data.Common;

namespace Headroom.Warehouse;

/// <summary>Watermarks, open gaps and the status summary.</summary>
internal abstract partial class SqlWarehouse
{
    private const string RunColumns = "id, profile, source, started_at, finished_at, status, window_from, window_to, rows_loaded, rows_rejected, error";

    public async Task<Watermark?> GetWatermarkAsync(string profile, string source, CancellationToken cancellationToken = default)
    {
        var rows = await QueryAsync("SELECT profile, source, watermark_end, updated_at, run_id FROM watermarks WHERE profile = @profile AND source = @source",
            new { profile, source = SourceNames.WithoutCredentials(source) }, ReadWatermark, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<IReadOnlyList<Gap>> ListOpenGapsAsync(string profile, string source, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT profile, source, dimension, window_start, window_end, reason, attempts, first_seen, last_attempt, resolved_at FROM gaps " +
                   "WHERE profile = @profile AND source = @source AND resolved_at IS NULL ORDER BY window_start, dimension",
            new { profile, source = SourceNames.WithoutCredentials(source) },
            static r => new Gap(r.GetString(0), r.GetString(1), r.GetString(2), Timestamps.Read(r, 3), Timestamps.Read(r, 4), r.GetString(5),
                Convert.ToInt32(r.GetValue(6), null), Timestamps.Read(r, 7), Timestamps.Read(r, 8), Timestamps.ReadNullable(r, 9)),
            cancellationToken);

    public async Task<WarehouseStatus> GetStatusAsync(int recentRuns = 10, CancellationToken cancellationToken = default)
    {
        var runs = await QueryAsync($"SELECT {RunColumns} FROM etl_runs ORDER BY id DESC LIMIT @limit", new { limit = recentRuns }, ReadRun, cancellationToken).ConfigureAwait(false);
        var now = Clock.GetUtcNow();
        var watermarks = await QueryAsync("SELECT profile, source, watermark_end, updated_at, run_id FROM watermarks ORDER BY profile, source", null, ReadWatermark, cancellationToken).ConfigureAwait(false);
        var openGaps = await QueryAsync("SELECT COUNT(*) FROM gaps WHERE resolved_at IS NULL", null, static r => Convert.ToInt64(r.GetValue(0), null), cancellationToken).ConfigureAwait(false);
        var quarantine = await QueryAsync("SELECT reason, COUNT(*) FROM quarantine GROUP BY reason ORDER BY reason", null,
            static r => (Reason: r.GetString(0), Count: Convert.ToInt64(r.GetValue(1), null)), cancellationToken).ConfigureAwait(false);
        return new WarehouseStatus(
            runs,
            watermarks.Select(w => new WatermarkLag(w, now - w.End)).ToList(),
            openGaps[0],
            quarantine.ToDictionary(q => q.Reason, q => q.Count, StringComparer.Ordinal));
    }

    private static Watermark ReadWatermark(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), Timestamps.Read(r, 2), Timestamps.Read(r, 3), r.IsDBNull(4) ? null : Convert.ToInt64(r.GetValue(4), null));

    private static EtlRun ReadRun(DbDataReader r) =>
        new(Convert.ToInt64(r.GetValue(0), null), r.GetString(1), r.GetString(2), Timestamps.Read(r, 3), Timestamps.ReadNullable(r, 4), ParseStatus(r.GetString(5)),
            Timestamps.Read(r, 6), Timestamps.Read(r, 7), Convert.ToInt64(r.GetValue(8), null), Convert.ToInt64(r.GetValue(9), null), NullableString(r, 10));
}
