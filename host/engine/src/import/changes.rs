//! What an import changes: the commit (records added, changed and gone, with their history),
//! the persons whose merged record changes, and whether a source threshold stops it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tessera_domain::Warning;
use tessera_store::{
    HistoryRow, ImportCommit, PersonChange, RecordDigest, RunCounts, Store, Upsert,
};

use super::{Fresh, SourceThresholds};
use crate::error::Result;

/// The commit for this import; it takes the fresh records, and reads from the store only the
/// earlier data of records that changed or vanished, for the history.
pub(super) fn diff(
    store: &dyn Store,
    source: &str,
    previous: &[RecordDigest],
    fresh: Fresh,
) -> Result<ImportCommit> {
    let old: HashMap<&str, &RecordDigest> = previous
        .iter()
        .map(|r| (r.external_id.as_str(), r))
        .collect();
    let mut commit = ImportCommit {
        source: source.to_owned(),
        ..ImportCommit::default()
    };
    commit.counts.total = fresh.len();
    let gone: Vec<&RecordDigest> = previous
        .iter()
        .filter(|r| !fresh.contains_key(&r.external_id))
        .collect();
    for (id, new) in fresh {
        let (change, before) = match old.get(id.as_str()) {
            None => (PersonChange::Added, None),
            Some(o) if o.hash != new.hash || o.person_id != new.person_id => (
                PersonChange::Changed,
                store.source_record_data(source, &id)?,
            ),
            Some(_) => continue,
        };
        match change {
            PersonChange::Added => commit.counts.added += 1,
            _ => commit.counts.changed += 1,
        }
        commit.upserts.push(Upsert {
            record: new,
            change,
            before,
        });
    }
    for gone in gone {
        commit.removals.push(gone.external_id.clone());
        commit.history.push(HistoryRow {
            person_id: gone.person_id.clone(),
            change: PersonChange::Removed,
            before: store.source_record_data(source, &gone.external_id)?,
            after: None,
        });
    }
    commit.counts.removed = commit.removals.len();
    Ok(commit)
}

/// Takes out of `fresh` the records of this source that share a correlation value (two HR
/// persons with one e-mail) and says so in `warnings`: which of them is the person is for the
/// operator to decide, not for the import to guess. Their stored records stay as they were and
/// a new one is not imported until the source or the correlation is fixed. Returns their ids.
pub(super) fn hold_disputes(
    source: &str,
    fresh: &mut Fresh,
    warnings: &mut Vec<Warning>,
) -> BTreeSet<String> {
    let mut by_person: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in fresh.values() {
        by_person
            .entry(&r.person_id)
            .or_default()
            .push(&r.external_id);
    }
    let mut held = BTreeSet::new();
    for (person, ids) in by_person.into_iter().filter(|(_, ids)| ids.len() > 1) {
        warnings.push(Warning {
            subject: Some(person.to_owned()),
            message: format!(
                "records {} of {source} share this correlation value; none is merged into the \
                 person or changed until the source or the correlation says which is who",
                ids.join(", ")
            ),
        });
        held.extend(ids.into_iter().map(str::to_owned));
    }
    fresh.retain(|id, _| !held.contains(id));
    held
}

/// Why the import must not be committed, if it must not.
pub(super) fn check_thresholds(
    t: &SourceThresholds,
    counts: RunCounts,
    base: usize,
) -> Option<String> {
    if counts.total == 0 && base > 0 {
        return Some(format!(
            "the source returned no persons (last time {base}); force to accept"
        ));
    }
    let checks = [
        ("added", &t.added, counts.added),
        ("removed", &t.removed, counts.removed),
        ("changed", &t.changed, counts.changed),
    ];
    let reasons: Vec<String> = checks
        .iter()
        .filter_map(|(what, threshold, n)| {
            threshold
                .as_ref()?
                .trips(*n, base)
                .map(|why| format!("{what} persons: {why}"))
        })
        .collect();
    (!reasons.is_empty()).then(|| format!("source threshold reached: {}", reasons.join("; ")))
}

/// Persons whose merged record changes, in id order: new or changed records, vanished
/// ones, and the old owner of a record whose correlation value moved it to another person.
pub(super) fn affected_persons(previous: &[RecordDigest], fresh: &Fresh) -> Vec<String> {
    let old: HashMap<&str, &RecordDigest> = previous
        .iter()
        .map(|r| (r.external_id.as_str(), r))
        .collect();
    let mut affected: BTreeSet<&str> = BTreeSet::new();
    for r in fresh.values() {
        if old
            .get(r.external_id.as_str())
            .is_none_or(|o| o.hash != r.hash || o.person_id != r.person_id)
        {
            affected.insert(&r.person_id);
        }
    }
    for o in previous {
        if fresh
            .get(&o.external_id)
            .is_none_or(|r| r.person_id != o.person_id)
        {
            affected.insert(&o.person_id);
        }
    }
    affected.into_iter().map(str::to_owned).collect()
}
