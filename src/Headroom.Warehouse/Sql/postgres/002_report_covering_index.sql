-- Migration 002: the primary key's index of utilization_hourly also carries what the report reads from the hourly
-- CPU rows (ReportSql.CpuMaxima), so the scan is an index-only scan instead of a heap visit per row. Widening the
-- key's own index (INCLUDE, PostgreSQL 11+) rather than adding a second one keeps the ETL at one index to
-- maintain per hourly row (docs/benchmarks.md, "Insights reports").
-- Statements end with ';' at the end of a line; the migrator splits on that.

ALTER TABLE utilization_hourly
    DROP CONSTRAINT utilization_hourly_pkey,
    ADD CONSTRAINT utilization_hourly_pkey PRIMARY KEY (resource_id, dimension, hour_start) INCLUDE (max_5m_value, max_value, avg_value);
