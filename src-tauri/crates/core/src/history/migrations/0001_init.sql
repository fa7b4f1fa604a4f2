-- Schema version 1: runs, their tags, one response per target, and the full-text index.
-- Times are RFC 3339 UTC with milliseconds ("2026-11-21T12:00:00.000Z"), fixed width,
-- so they compare and sort as text. Money is a decimal string, never a float.

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    created_at  TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('app', 'cli', 'router')),
    title       TEXT,
    prompt      TEXT    NOT NULL,
    system      TEXT,
    parent_id   INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    starred     INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
    notes       TEXT,
    deleted_at  TEXT,
    -- The process that writes this run's responses while they stream: a run whose
    -- writer is gone is marked interrupted on the next open.
    writer_pid  INTEGER
);
CREATE INDEX runs_created_at ON runs (created_at);
CREATE INDEX runs_starred ON runs (id) WHERE starred = 1;
CREATE INDEX runs_deleted_at ON runs (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX runs_parent ON runs (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE run_tags (
    run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    tag     TEXT    NOT NULL,
    PRIMARY KEY (run_id, tag)
) WITHOUT ROWID;
CREATE INDEX run_tags_tag ON run_tags (tag, run_id);

CREATE TABLE responses (
    id                     INTEGER PRIMARY KEY,
    run_id                 INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position               INTEGER NOT NULL,
    model                  TEXT    NOT NULL,
    provider               TEXT    NOT NULL,
    params                 TEXT    NOT NULL,  -- JSON of chat::Params
    system                 TEXT,
    messages               TEXT    NOT NULL,  -- JSON array of chat::Message
    text                   TEXT    NOT NULL DEFAULT '',
    reasoning              TEXT    NOT NULL DEFAULT '',
    status                 TEXT    NOT NULL
        CHECK (status IN ('streaming', 'ok', 'error', 'cancelled', 'interrupted')),
    finish_reason          TEXT,
    error_kind             TEXT,
    error_message          TEXT,
    error_status           INTEGER,
    error_phase            TEXT,
    retry_after            REAL,               -- seconds
    input_tokens           INTEGER,
    cached_input_tokens    INTEGER,
    cache_write_tokens     INTEGER,
    cache_write_1h_tokens  INTEGER,
    output_tokens          INTEGER,
    reasoning_tokens       INTEGER,
    usage_source           TEXT,
    cost_usd               TEXT,               -- decimal string; NULL = unpriced
    cost_source            TEXT,
    cost_free              INTEGER NOT NULL DEFAULT 0,
    price_version          TEXT,
    price_key              TEXT,
    ttft_ms                INTEGER,
    total_ms               INTEGER,
    winner                 INTEGER NOT NULL DEFAULT 0 CHECK (winner IN (0, 1)),
    rating                 INTEGER CHECK (rating BETWEEN 1 AND 5),
    started_at             TEXT    NOT NULL,
    ended_at               TEXT,
    updated_at             TEXT    NOT NULL,
    -- Router calls (a later issue) use the same row.
    alias                  TEXT,
    deployment             TEXT,
    attempts               INTEGER,
    client                 TEXT,
    UNIQUE (run_id, position)
);
CREATE INDEX responses_model ON responses (model, run_id);
CREATE INDEX responses_provider ON responses (provider, run_id);
-- At most one winner per run, enforced by the database itself.
CREATE UNIQUE INDEX responses_one_winner ON responses (run_id) WHERE winner = 1;
CREATE INDEX responses_streaming ON responses (run_id) WHERE status = 'streaming';
-- Covering indexes for stats and spend: they read these columns for every response of a
-- period, and the rows themselves are large (text, messages), so reading the table
-- would cost the whole history's text.
CREATE INDEX responses_stats ON responses
    (run_id, status, model, provider, input_tokens, output_tokens, cost_usd, cost_source, winner);
CREATE INDEX responses_spend ON responses
    (ended_at, status, model, cost_usd, cost_source, input_tokens, output_tokens, run_id);

-- Prompts and answers, one row per run: rowid = run id, body = the prompt and every
-- ended answer. "Newest first" walks the index backwards and stops after one page,
-- however many runs match, and counting matches is counting rows.
CREATE VIRTUAL TABLE search USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2');
