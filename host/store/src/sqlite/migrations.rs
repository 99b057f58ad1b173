//! Schema migrations, applied in order and tracked by `PRAGMA user_version`.
//!
//! Never remove, reorder or edit an entry: a database records only how many entries it has
//! seen. Add a new entry at the end for every change, and keep each change backwards
//! compatible so an older Tessera can still read what it knows.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result, SqlContext};

/// Be sure not to change the order or the entries here.
const MIGRATIONS: &[&str] = &[
    // 1: persons and their history, the shadows, plans and journal, grants, blocked actions and audit.
    "
    CREATE TABLE source_runs (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        started_at TEXT NOT NULL,
        status TEXT NOT NULL,
        total INTEGER NOT NULL,
        added INTEGER NOT NULL,
        removed INTEGER NOT NULL,
        changed INTEGER NOT NULL,
        reason TEXT
    );
    CREATE TABLE source_records (
        source TEXT NOT NULL,
        external_id TEXT NOT NULL,
        person_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (source, external_id)
    );
    CREATE INDEX source_records_person ON source_records (person_id);
    CREATE TABLE persons (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        run_id INTEGER REFERENCES source_runs (id)
    );
    CREATE TABLE contracts (
        person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        start TEXT,
        end TEXT,
        data TEXT NOT NULL,
        PRIMARY KEY (person_id, id)
    );
    CREATE TABLE person_history (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES source_runs (id),
        person_id TEXT NOT NULL,
        change TEXT NOT NULL,
        before TEXT,
        after TEXT
    );
    CREATE TABLE systems (
        name TEXT PRIMARY KEY,
        plugin TEXT,
        config TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE shadows (
        system TEXT NOT NULL,
        account_key TEXT NOT NULL,
        username TEXT,
        enabled INTEGER NOT NULL,
        person_id TEXT,
        attributes TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        dead INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (system, account_key)
    );
    CREATE INDEX shadows_person ON shadows (person_id);
    CREATE TABLE entitlements (
        system TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        display_name TEXT NOT NULL,
        attributes TEXT NOT NULL,
        PRIMARY KEY (system, kind, key)
    );
    CREATE TABLE memberships (
        system TEXT NOT NULL,
        account_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (system, account_key, kind, key)
    );
    CREATE TABLE desired_state (
        system TEXT NOT NULL,
        person_id TEXT NOT NULL,
        data TEXT NOT NULL,
        computed_at TEXT NOT NULL,
        PRIMARY KEY (system, person_id)
    );
    CREATE TABLE plans (
        id INTEGER PRIMARY KEY,
        system TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE TABLE apply_journal (
        plan_id INTEGER NOT NULL REFERENCES plans (id),
        seq INTEGER NOT NULL,
        state TEXT NOT NULL,
        op TEXT NOT NULL,
        result TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (plan_id, seq)
    );
    CREATE TABLE manual_grants (
        id INTEGER PRIMARY KEY,
        person_id TEXT NOT NULL,
        system TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        author TEXT NOT NULL,
        until TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT,
        revoked_by TEXT
    );
    CREATE TABLE blocked_actions (
        id INTEGER PRIMARY KEY,
        system TEXT NOT NULL,
        plan_id INTEGER REFERENCES plans (id),
        action TEXT NOT NULL,
        op_key TEXT NOT NULL,
        op TEXT NOT NULL,
        reason TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT
    );
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        record TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    ",
    // 2: encrypted secrets, the row that tells a wrong key apart, and per-plugin state.
    "
    CREATE TABLE vault_meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        nonce BLOB NOT NULL,
        key_check BLOB NOT NULL
    );
    CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        changed_at TEXT NOT NULL
    );
    CREATE TABLE plugin_state (
        plugin TEXT NOT NULL,
        system TEXT NOT NULL,
        key TEXT NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (plugin, system, key)
    );
    ",
    // 3: the run lock, one row naming the run that holds the store.
    "
    CREATE TABLE run_lock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        token TEXT NOT NULL,
        what TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        process_start INTEGER,
        since TEXT NOT NULL
    );
    ",
    // 4: change-feed cursors, each system's runs, the basis of the desired state, and the
    // person of a blocked action (so a run scoped to some persons leaves the others' alone).
    "
    CREATE TABLE feed_cursors (
        system TEXT NOT NULL,
        feed TEXT NOT NULL,
        cursor BLOB NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (system, feed)
    );
    CREATE TABLE system_runs (
        id INTEGER PRIMARY KEY,
        system TEXT NOT NULL,
        mode TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        status TEXT NOT NULL,
        notes TEXT NOT NULL
    );
    CREATE INDEX system_runs_system ON system_runs (system, id);
    CREATE TABLE store_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    ALTER TABLE blocked_actions ADD COLUMN person TEXT;
    CREATE INDEX blocked_actions_system ON blocked_actions (system, status);
    ",
    // 5: changes read but not yet planned for, kept across a crash.
    "
    CREATE TABLE pending_persons (
        person TEXT PRIMARY KEY
    );
    CREATE TABLE pending_accounts (
        system TEXT NOT NULL,
        account TEXT NOT NULL,
        PRIMARY KEY (system, account)
    );
    CREATE INDEX system_runs_finished ON system_runs (finished_at);
    ",
    // 6: a person's (or nobody's) shadows in one system, in key order. Without it SQLite walks
    // the primary key for the order and reads the whole system per person: an incremental
    // plan of 250 persons read 25,000 AD shadows 250 times (8 s).
    "
    CREATE INDEX shadows_system_person ON shadows (system, person_id, account_key);
    ",
    // 7: signed checkpoints of the audit chain's head, and the cuts retention leaves.
    "
    CREATE TABLE audit_checkpoints (
        kind TEXT NOT NULL,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        at TEXT NOT NULL,
        signature TEXT NOT NULL,
        PRIMARY KEY (kind, seq)
    );
    ",
    // 8: the console: its users and sessions, reviewers' decisions on deviations, a second
    // operator's approval of a manual grant (four eyes; grants before it count as approved),
    // and the audit log searchable by person, system and actor without parsing every record.
    // `shadows_person` goes: `shadows_system_person` serves every query it did.
    "
    CREATE TABLE console_users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE console_sessions (
        token_hash TEXT PRIMARY KEY,
        user TEXT NOT NULL REFERENCES console_users (name) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE deviation_reviews (
        id INTEGER PRIMARY KEY,
        system TEXT NOT NULL,
        account TEXT NOT NULL,
        entitlement TEXT NOT NULL,
        verdict TEXT NOT NULL,
        reason TEXT NOT NULL,
        by TEXT NOT NULL,
        at TEXT NOT NULL,
        until TEXT,
        withdrawn_at TEXT
    );
    CREATE INDEX deviation_reviews_system ON deviation_reviews (system, withdrawn_at);
    ALTER TABLE manual_grants ADD COLUMN approved_by TEXT;
    ALTER TABLE manual_grants ADD COLUMN approved_at TEXT;
    UPDATE manual_grants SET approved_by = author, approved_at = created_at;
    ALTER TABLE audit_log ADD COLUMN person TEXT
        GENERATED ALWAYS AS (json_extract(record, '$.person')) VIRTUAL;
    ALTER TABLE audit_log ADD COLUMN system TEXT
        GENERATED ALWAYS AS (json_extract(record, '$.system')) VIRTUAL;
    ALTER TABLE audit_log ADD COLUMN actor TEXT
        GENERATED ALWAYS AS (json_extract(record, '$.actor')) VIRTUAL;
    CREATE INDEX audit_log_person ON audit_log (person, at);
    CREATE INDEX audit_log_system ON audit_log (system, at);
    CREATE INDEX audit_log_actor ON audit_log (actor, at);
    CREATE INDEX audit_log_at ON audit_log (at);
    DROP INDEX shadows_person;
    ALTER TABLE plans ADD COLUMN whole INTEGER
        GENERATED ALWAYS AS (json_type(data, '$.scope') IS NULL) VIRTUAL;
    CREATE INDEX plans_system_whole ON plans (system, whole, id);
    ",
    // 9: follow-up tickets, one per grant that asks for one.
    "
    CREATE TABLE follow_up_tickets (
        system TEXT NOT NULL,
        grant_key TEXT NOT NULL,
        person TEXT,
        ticket_system TEXT NOT NULL,
        ticket TEXT NOT NULL,
        number TEXT NOT NULL,
        subject TEXT NOT NULL,
        hold INTEGER NOT NULL,
        opened_at TEXT NOT NULL,
        closed_at TEXT,
        PRIMARY KEY (system, grant_key)
    );
    ",
    // 10: whether a plan covers every person becomes a column of its own, set when the plan
    // is added: computed from the data it made SQLite parse a take-over's tens of MiB of
    // JSON on every write, and kept the data from being streamed in as a blob.
    "
    DROP INDEX plans_system_whole;
    ALTER TABLE plans DROP COLUMN whole;
    ALTER TABLE plans ADD COLUMN whole INTEGER NOT NULL DEFAULT 1;
    UPDATE plans SET whole = json_type(data, '$.scope') IS NULL;
    CREATE INDEX plans_system_whole ON plans (system, whole, id);
    ",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings `conn` up to [`SCHEMA_VERSION`] in one exclusive transaction, or refuses a newer file.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .ctx("starting the migration")?;
    let found: u32 = tx
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .ctx("reading the schema version")?;
    if found > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for sql in &MIGRATIONS[found as usize..] {
        tx.execute_batch(sql).ctx("applying a migration")?;
    }
    // PRAGMA takes no bound parameters; the value is our own constant.
    tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
        .ctx("writing the schema version")?;
    tx.commit().ctx("committing the migration")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_keep_whether_they_were_whole_when_it_becomes_a_column() {
        let mut conn = Connection::open_in_memory().expect("open");
        let before = MIGRATIONS.len() - 1;
        for sql in &MIGRATIONS[..before] {
            conn.execute_batch(sql).expect("older migration");
        }
        conn.execute_batch(&format!(
            "PRAGMA user_version = {before};
             INSERT INTO plans (system, created_at, status, data) VALUES
                ('ad', 't', 'open', '{{\"operations\":[]}}'),
                ('ad', 't', 'open', '{{\"scope\":[\"p1\"]}}');"
        ))
        .expect("older plans");
        migrate(&mut conn, Path::new(":memory:")).expect("migrate");
        let whole: Vec<(i64, bool)> = conn
            .prepare("SELECT id, whole FROM plans ORDER BY id")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .expect("read");
        assert_eq!(whole, [(1, true), (2, false)]);
    }
}
