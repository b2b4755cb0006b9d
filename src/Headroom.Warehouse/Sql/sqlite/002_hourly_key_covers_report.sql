-- Migration 002: utilization_hourly becomes a WITHOUT ROWID table, stored in its primary key's order, so that
-- reading a resource's hours by the key (the report's ReportSql.CpuMaxima, the daily roll-up) reads the rows
-- themselves. Before, the key was a separate index and each of the 3.4 million hourly rows of a 10,000-resource,
-- 14-day report cost a rowid lookup in the table. A covering index would read as fast but is a third B-tree for
-- the ETL to write; this leaves one fewer (docs/benchmarks.md, "Insights reports").
-- SQLite cannot change a table's storage in place: the rows are copied into a new table, which takes the old
-- one's name. Nothing references utilization_hourly, so dropping it with foreign keys on checks nothing.
-- Statements end with ';' at the end of a line; the migrator splits on that.

DROP TABLE IF EXISTS utilization_hourly_002;

CREATE TABLE utilization_hourly_002 (
    resource_id   BIGINT NOT NULL REFERENCES resources (id),
    dimension     VARCHAR(100) NOT NULL,
    hour_start    TEXT NOT NULL,
    avg_value     REAL NOT NULL,
    min_value     REAL NOT NULL,
    max_value     REAL NOT NULL,
    p95_value     REAL NOT NULL,
    max_5m_value  REAL NULL,
    samples       BIGINT NOT NULL CHECK (samples >= 0),
    expected      BIGINT NOT NULL CHECK (expected >= 0),
    run_id        BIGINT NOT NULL REFERENCES etl_runs (id),
    PRIMARY KEY (resource_id, dimension, hour_start)
) WITHOUT ROWID;

INSERT INTO utilization_hourly_002 (resource_id, dimension, hour_start, avg_value, min_value, max_value, p95_value, max_5m_value, samples, expected, run_id)
SELECT resource_id, dimension, hour_start, avg_value, min_value, max_value, p95_value, max_5m_value, samples, expected, run_id
FROM utilization_hourly
ORDER BY resource_id, dimension, hour_start;

DROP TABLE utilization_hourly;

ALTER TABLE utilization_hourly_002 RENAME TO utilization_hourly;

CREATE INDEX IF NOT EXISTS ix_utilization_hourly_hour ON utilization_hourly (dimension, hour_start);
