-- Schema version 2: setups, the named routes exported as gateway configs and served by
-- the router. A setup is read and written whole (groups of targets, each with its own
-- params), so its body is the `setups::Setup` JSON; the alias, the run it came from and
-- the times are columns, for lookups and for `ON DELETE SET NULL` when a run is purged.

CREATE TABLE setups (
    alias       TEXT    PRIMARY KEY,
    body        TEXT    NOT NULL,  -- JSON of setups::Setup
    source_run  INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX setups_source_run ON setups (source_run) WHERE source_run IS NOT NULL;
