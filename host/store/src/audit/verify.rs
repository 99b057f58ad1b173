//! Walking the chain against its signed checkpoints.

use std::collections::HashMap;

use serde::Serialize;

use super::{ChainBreak, GENESIS, StoredEntry, check_entry};
use crate::checkpoint::{Checkpoint, CheckpointKind, CheckpointVerifier};
use crate::fmt_time;

/// What a walk of the chain found to hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// Entries walked.
    pub records: usize,
    /// The first entry kept; above 1 after retention removed older ones under a signed cut.
    pub first_seq: i64,
    /// Checkpoints that named an existing record with the hash they signed.
    pub checkpoints: usize,
    /// Whether their signatures were checked (a public or vault key was at hand).
    pub signatures_checked: bool,
}

/// Walks `rows` from the newest cut among `checkpoints` (or the genesis), then checks each
/// checkpoint: its signature, when `verifier` is given, and the record it names.
pub(crate) fn chain(
    rows: &[StoredEntry],
    checkpoints: &[Checkpoint],
    verifier: Option<&CheckpointVerifier>,
) -> Result<Verified, ChainBreak> {
    if let Some(key) = verifier
        && let Some(bad) = checkpoints.iter().find(|c| !c.verifies(key))
    {
        return Err(ChainBreak {
            seq: bad.seq,
            reason: format!(
                "the {} checkpoint signed at {} does not verify: it was altered, or signed with \
                 another key",
                bad.kind.as_str(),
                fmt_time(bad.at)
            ),
        });
    }
    let cut = checkpoints
        .iter()
        .filter(|c| c.kind == CheckpointKind::Cut)
        .max_by_key(|c| c.seq);
    let (mut prev, start) = match cut {
        Some(c) => (c.hash.clone(), c.seq + 1),
        None => (GENESIS.to_owned(), 1),
    };
    for (expected, row) in (start..).zip(rows) {
        if let Some(reason) = check_entry(row, expected, &prev) {
            let reason = match (expected, cut) {
                (1, None) if row.seq > 1 => format!(
                    "{reason}: the records before it are gone and no signed cut accounts for them"
                ),
                _ => reason,
            };
            return Err(ChainBreak {
                seq: row.seq,
                reason,
            });
        }
        prev.clone_from(&row.hash);
    }
    let checked = heads(rows, checkpoints, start)?;
    Ok(Verified {
        records: rows.len(),
        first_seq: start,
        checkpoints: checked,
        signatures_checked: verifier.is_some(),
    })
}

/// Each head checkpoint past the cut must name a record that is still there, with its hash.
fn heads(
    rows: &[StoredEntry],
    checkpoints: &[Checkpoint],
    start: i64,
) -> Result<usize, ChainBreak> {
    let by_seq: HashMap<i64, &str> = rows.iter().map(|r| (r.seq, r.hash.as_str())).collect();
    let last = rows.last().map_or(start - 1, |r| r.seq);
    let mut checked = 0;
    for c in checkpoints
        .iter()
        .filter(|c| c.kind == CheckpointKind::Head && c.seq >= start)
    {
        let signed = fmt_time(c.at);
        match by_seq.get(&c.seq) {
            Some(hash) if *hash == c.hash => checked += 1,
            Some(_) => {
                return Err(ChainBreak {
                    seq: c.seq,
                    reason: format!(
                        "the record differs from the one the checkpoint signed at {signed} \
                         named: the chain was rewritten"
                    ),
                });
            }
            None => {
                return Err(ChainBreak {
                    seq: c.seq,
                    reason: format!(
                        "a checkpoint signed at {signed} names this record, but the log ends at \
                         #{last}: records were removed"
                    ),
                });
            }
        }
    }
    Ok(checked)
}
