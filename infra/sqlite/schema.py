"""The embedded backend's tables. Created if missing each time the file is opened."""

from __future__ import annotations

VIEW_TABLES = {
    "user": "view_user",
    "role": "view_role",
    "authorization": "view_authorization",
    "group": "view_group",
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,           -- global order, gap-free: one writer at a time
    stream TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    data TEXT NOT NULL,
    occurred_at TEXT NOT NULL,              -- ISO-8601 UTC with milliseconds: sorts as time
    command_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    idx INTEGER NOT NULL,
    last INTEGER NOT NULL,
    UNIQUE (stream, version)
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (occurred_at);
CREATE TABLE IF NOT EXISTS claims (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    owner TEXT NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS data_keys (     -- each person's key (pipeline/sealing.py)
    owner TEXT PRIMARY KEY,                 -- their stream, user#<id>
    key BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS targets (
    stream TEXT PRIMARY KEY,
    refs INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_tree (  -- one row: every group's parent, versioned as a whole
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    parents TEXT NOT NULL                   -- JSON: group id -> parent id
);
CREATE TABLE IF NOT EXISTS checkpoints (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commands (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    aggregate_id TEXT,
    version INTEGER,
    error_code TEXT,
    error_message TEXT,
    error_field TEXT,
    submitted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS commands_by_aggregate ON commands (aggregate_id, submitted_at);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    grp TEXT NOT NULL,
    dedup TEXT NOT NULL,
    body TEXT NOT NULL,
    visible_at REAL NOT NULL,               -- unix time; in flight while in the future
    attempts INTEGER NOT NULL DEFAULT 0,
    receipt TEXT,
    owner INTEGER,                          -- pid of the receiver, to reclaim after a crash
    UNIQUE (queue, dedup)
);
CREATE INDEX IF NOT EXISTS messages_by_group ON messages (queue, grp, id);
CREATE INDEX IF NOT EXISTS messages_by_queue ON messages (queue, id);
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    grp TEXT NOT NULL,
    dedup TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    reason TEXT NOT NULL,
    failed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS view_user (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    data TEXT,                              -- NULL: a tombstone, the user was deleted
    created_at TEXT,
    updated_at TEXT NOT NULL,
    email_key TEXT,
    deleted INTEGER                         -- 1: deleted, restorable (data kept)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS view_user_by_email ON view_user (email_key);
CREATE TABLE IF NOT EXISTS view_member (    -- a live user's or group's references, to filter on
    kind TEXT NOT NULL,                     -- the member's kind: user or group
    via TEXT NOT NULL,                      -- role_id, group_id (a user's) or parent_id
    target TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (kind, via, target, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS view_member_by_id ON view_member (kind, id);
CREATE TABLE IF NOT EXISTS view_role (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    data TEXT,
    created_at TEXT,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS view_authorization (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    data TEXT,
    created_at TEXT,
    updated_at TEXT NOT NULL,
    name_key TEXT                           -- unique_key(name): checks find it by name
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS view_group (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    data TEXT,
    created_at TEXT,
    updated_at TEXT NOT NULL
) WITHOUT ROWID
"""
