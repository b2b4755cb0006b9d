namespace Headroom.Warehouse;

/// <summary>Upsert clauses built from each dialect's pieces (incoming/stored values, conflict syntax, min/max functions).</summary>
internal abstract partial class SqlWarehouse
{
    private static readonly string[] s_resourceMetadataColumns = ["identity_json", "account", "region", "instance_type", "name", "metadata_json"];

    /// <summary>The incoming value of a column in an upsert's update part.</summary>
    protected abstract string Incoming(string column);

    /// <summary>The stored value of a column in an upsert's update part.</summary>
    protected virtual string Stored(string table, string column) => table + "." + column;

    /// <summary>The two-argument maximum function.</summary>
    protected virtual string Greatest => "GREATEST";

    /// <summary>The two-argument minimum function.</summary>
    protected virtual string Least => "LEAST";

    /// <summary>The start of an upsert's update part for a conflict on <paramref name="keys"/>.</summary>
    protected virtual string OnConflict(string keys) => $"ON CONFLICT ({keys}) DO UPDATE SET";

    // MySQL applies ON DUPLICATE KEY UPDATE assignments left to right, each seeing the ones before, so
    // every clause below assigns the columns its conditions read (last_seen, watermark_end) last.
    internal string ResourceUpsert()
    {
        var newer = $"{Incoming("last_seen")} >= {Stored("resources", "last_seen")}";
        var metadata = s_resourceMetadataColumns
            .Select(c => $"{c} = CASE WHEN {newer} THEN {Incoming(c)} ELSE {Stored("resources", c)} END");
        return $"{OnConflict("profile, resource_hash")} {string.Join(", ", metadata)}, " +
               $"first_seen = {Least}({Stored("resources", "first_seen")}, {Incoming("first_seen")}), " +
               $"last_seen = {Greatest}({Stored("resources", "last_seen")}, {Incoming("last_seen")})";
    }

    internal string ReplaceAllUpsert(string keys, IEnumerable<string> columns) =>
        $"{OnConflict(keys)} {string.Join(", ", columns.Select(c => $"{c} = {Incoming(c)}"))}";

    internal string GapUpsert() =>
        $"{OnConflict("profile, source, dimension, window_start")} window_end = {Incoming("window_end")}, reason = {Incoming("reason")}, " +
        $"attempts = {Stored("gaps", "attempts")} + 1, last_attempt = {Incoming("last_attempt")}, resolved_at = NULL";

    internal string WatermarkUpsert()
    {
        var moved = $"{Incoming("watermark_end")} > {Stored("watermarks", "watermark_end")}";
        return $"{OnConflict("profile, source")} run_id = CASE WHEN {moved} THEN {Incoming("run_id")} ELSE {Stored("watermarks", "run_id")} END, " +
               $"updated_at = CASE WHEN {moved} THEN {Incoming("updated_at")} ELSE {Stored("watermarks", "updated_at")} END, " +
               $"watermark_end = {Greatest}({Stored("watermarks", "watermark_end")}, {Incoming("watermark_end")})";
    }
}
