-- Migration 002: the primary key's index of utilization_hourly also carries what the report reads from the hourly
-- CPU rows (ReportSql.CpuMaxima), so PostgreSQL can answer with an index-only scan of each resource's CPU hours
-- instead of scanning the whole table. Widening the key's own index (INCLUDE, PostgreSQL 11+) rather than adding a
-- second one gives the ETL no extra index to maintain (docs/benchmarks.md, "Insights reports"). Re-running it
-- rebuilds the same index.
-- Statements end with ';' at the end of a line; the migrator splits on that.

ALTER TABLE utilization_hourly
    DROP CONSTRAINT utilization_hourly_pkey,
    ADD CONSTRAINT utilization_hourly_pkey PRIMARY KEY (resource_id, dimension, hour_start) INCLUDE (max_5m_value, max_value, avg_value);
