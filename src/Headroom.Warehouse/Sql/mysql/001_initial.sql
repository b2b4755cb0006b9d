-- Headroom warehouse, MySQL 8 / MariaDB 10.5+ / PolarDB for MySQL. DATETIME columns hold UTC; utf8mb4 with binary collation so keys compare exactly.
-- Indexes and foreign keys are declared inside CREATE TABLE: MySQL 8 has no CREATE INDEX IF NOT EXISTS and ignores column-level REFERENCES.
-- Statements end with ';' at the end of a line; the migrator splits on that.

CREATE TABLE IF NOT EXISTS etl_runs (
    id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    profile       VARCHAR(100) NOT NULL,
    source        VARCHAR(255) NOT NULL,
    started_at    DATETIME NOT NULL,
    finished_at   DATETIME NULL,
    status        VARCHAR(16) NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    window_from   DATETIME NOT NULL,
    window_to     DATETIME NOT NULL,
    rows_loaded   BIGINT NOT NULL DEFAULT 0,
    rows_rejected BIGINT NOT NULL DEFAULT 0,
    error         TEXT NULL,
    INDEX ix_etl_runs_profile (profile, started_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS resources (
    id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    profile       VARCHAR(100) NOT NULL,
    resource_hash CHAR(64) NOT NULL,
    resource_key  TEXT NOT NULL,
    identity_json MEDIUMTEXT NOT NULL,
    account       TEXT NULL,
    region        TEXT NULL,
    instance_type TEXT NULL,
    name          TEXT NULL,
    metadata_json MEDIUMTEXT NOT NULL,
    first_seen    DATETIME NOT NULL,
    last_seen     DATETIME NOT NULL,
    CONSTRAINT uq_resources_profile_hash UNIQUE (profile, resource_hash)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS utilization_hourly (
    resource_id   BIGINT NOT NULL,
    dimension     VARCHAR(100) NOT NULL,
    hour_start    DATETIME NOT NULL,
    avg_value     DOUBLE NOT NULL,
    min_value     DOUBLE NOT NULL,
    max_value     DOUBLE NOT NULL,
    p95_value     DOUBLE NOT NULL,
    max_5m_value  DOUBLE NULL,
    samples       BIGINT NOT NULL CHECK (samples >= 0),
    expected      BIGINT NOT NULL CHECK (expected >= 0),
    run_id        BIGINT NOT NULL,
    PRIMARY KEY (resource_id, dimension, hour_start),
    INDEX ix_utilization_hourly_hour (dimension, hour_start),
    CONSTRAINT fk_utilization_hourly_resource_id FOREIGN KEY (resource_id) REFERENCES resources (id),
    CONSTRAINT fk_utilization_hourly_run_id FOREIGN KEY (run_id) REFERENCES etl_runs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS utilization_daily (
    resource_id   BIGINT NOT NULL,
    dimension     VARCHAR(100) NOT NULL,
    day           DATE NOT NULL,
    avg_value     DOUBLE NOT NULL,
    min_value     DOUBLE NOT NULL,
    max_value     DOUBLE NOT NULL,
    p95_value     DOUBLE NOT NULL,
    max_5m_value  DOUBLE NULL,
    samples       BIGINT NOT NULL,
    expected      BIGINT NOT NULL,
    hours         INTEGER NOT NULL,
    run_id        BIGINT NOT NULL,
    PRIMARY KEY (resource_id, dimension, day),
    INDEX ix_utilization_daily_day (dimension, day),
    CONSTRAINT fk_utilization_daily_resource_id FOREIGN KEY (resource_id) REFERENCES resources (id),
    CONSTRAINT fk_utilization_daily_run_id FOREIGN KEY (run_id) REFERENCES etl_runs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS watermarks (
    profile       VARCHAR(100) NOT NULL,
    source        VARCHAR(255) NOT NULL,
    watermark_end DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    run_id        BIGINT NULL,
    PRIMARY KEY (profile, source),
    CONSTRAINT fk_watermarks_run_id FOREIGN KEY (run_id) REFERENCES etl_runs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS gaps (
    profile       VARCHAR(100) NOT NULL,
    source        VARCHAR(255) NOT NULL,
    dimension     VARCHAR(100) NOT NULL,
    window_start  DATETIME NOT NULL,
    window_end    DATETIME NOT NULL,
    reason        TEXT NOT NULL,
    attempts      INTEGER NOT NULL,
    first_seen    DATETIME NOT NULL,
    last_attempt  DATETIME NOT NULL,
    resolved_at   DATETIME NULL,
    PRIMARY KEY (profile, source, dimension, window_start),
    INDEX ix_gaps_open (profile, source, resolved_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS quarantine (
    id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    run_id        BIGINT NOT NULL,
    profile       VARCHAR(100) NOT NULL,
    source        VARCHAR(255) NOT NULL,
    dimension     VARCHAR(100) NOT NULL,
    resource_key  TEXT NULL,
    period_start  DATETIME NOT NULL,
    reason        VARCHAR(100) NOT NULL,
    payload       MEDIUMTEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    INDEX ix_quarantine_window (profile, source, dimension, period_start),
    INDEX ix_quarantine_reason (reason),
    CONSTRAINT fk_quarantine_run_id FOREIGN KEY (run_id) REFERENCES etl_runs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
