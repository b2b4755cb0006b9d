-- Migration 002: an index that holds what the report reads from the hourly CPU rows (ReportSql.CpuMaxima).
-- The primary key's index holds only the key, so each of the 3.4 million hourly rows of a 10,000-resource,
-- 14-day report was fetched from the table by rowid, one table page after another; with the three values in
-- the index the scan reads the index alone (docs/benchmarks.md, "Insights reports").
-- Statements end with ';' at the end of a line; the migrator splits on that.

CREATE INDEX IF NOT EXISTS ix_utilization_hourly_report ON utilization_hourly (resource_id, dimension, hour_start, max_5m_value, max_value, avg_value);
