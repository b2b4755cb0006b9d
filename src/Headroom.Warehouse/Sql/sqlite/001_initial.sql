-- Headroom warehouse, SQLite. Timestamps are TEXT "YYYY-MM-DD HH:MM:SS" in UTC (sortable, and read by date functions); days are "YYYY-MM-DD".
-- Statements end with ';' at the end of a line; the migrator splits on that.

CREATE TABLE IF NOT EXISTS etl_runs (
    id            INTEGER PRIMARY KEY,
    profile       VARCHAR(100) NOT NULL,
    source        VARCHAR(255) NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT NULL,
    status        VARCHAR(16) NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    window_from   TEXT NOT NULL,
    window_to     TEXT NOT NULL,
    rows_loaded   BIGINT NOT NULL DEFAULT 0,
    rows_rejected BIGINT NOT NULL DEFAULT 0,
    error         TEXT NULL
);

CREATE INDEX IF NOT EXISTS ix_etl_runs_profile ON etl_runs (profile, started_at);

CREATE TABLE IF NOT EXISTS resources (
    id            INTEGER PRIMARY KEY,
    profile       VARCHAR(100) NOT NULL,
    resource_hash CHAR(64) NOT NULL,
    resource_key  TEXT NOT NULL,
    identity_json TEXT NOT NULL,
    account       TEXT NULL,
    region        TEXT NULL,
    instance_type TEXT NULL,
    name          TEXT NULL,
    metadata_json TEXT NOT NULL,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    CONSTRAINT uq_resources_profile_hash UNIQUE (profile, resource_hash)
);

CREATE TABLE IF NOT EXISTS utilization_hourly (
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
);

CREATE INDEX IF NOT EXISTS ix_utilization_hourly_hour ON utilization_hourly (dimension, hour_start);

CREATE TABLE IF NOT EXISTS utilization_daily (
    resource_id   BIGINT NOT NULL REFERENCES resources (id),
    dimension     VARCHAR(100) NOT NULL,
    day           TEXT NOT NULL,
    avg_value     REAL NOT NULL,
    min_value     REAL NOT NULL,
    max_value     REAL NOT NULL,
    p95_value     REAL NOT NULL,
    max_5m_value  REAL NULL,
    samples       BIGINT NOT NULL,
    expected      BIGINT NOT NULL,
    hours         INTEGER NOT NULL,
    run_id        BIGINT NOT NULL REFERENCES etl_runs (id),
    PRIMARY KEY (resource_id, dimension, day)
);

CREATE INDEX IF NOT EXISTS ix_utilization_daily_day ON utilization_daily (dimension, day);

CREATE TABLE IF NOT EXISTS watermarks (
    profile       VARCHAR(100) NOT NULL,
    source        VARCHAR(255) NOT NULL,
    watermark_end TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    run_id        BIGINT NULL REFERENCES etl_runs (id),
    PRIMARY KEY (profile, source)
);

CREATE TABLE IF NOT EXISTS gaps (
    profile       VARCHAR(100) NOT NULL,
    source        VARCHAR(255) NOT NULL,
    dimension     VARCHAR(100) NOT NULL,
    window_start  TEXT NOT NULL,
    window_end    TEXT NOT NULL,
    reason        TEXT NOT NULL,
    attempts      INTEGER NOT NULL,
    first_seen    TEXT NOT NULL,
    last_attempt  TEXT NOT NULL,
    resolved_at   TEXT NULL,
    PRIMARY KEY (profile, source, dimension, window_start)
);

CREATE INDEX IF NOT EXISTS ix_gaps_open ON gaps (profile, source, resolved_at);

CREATE TABLE IF NOT EXISTS quarantine (
    id            INTEGER PRIMARY KEY,
    run_id        BIGINT NOT NULL REFERENCES etl_runs (id),
    profile       VARCHAR(100) NOT NULL,
    source        VARCHAR(255) NOT NULL,
    dimension     VARCHAR(100) NOT NULL,
    resource_key  TEXT NULL,
    period_start  TEXT NOT NULL,
    reason        VARCHAR(100) NOT NULL,
    payload       TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_quarantine_window ON quarantine (profile, source, dimension, period_start);

CREATE INDEX IF NOT EXISTS ix_quarantine_reason ON quarantine (reason);
