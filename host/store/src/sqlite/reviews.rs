//! Deviation reviews in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};

use super::{SqliteStore, fmt_time, parse_time};
use crate::error::{Error, JsonContext, Result, SqlContext};
use crate::reviews::{DeviationReview, DeviationReviews, NewReview, ReviewVerdict};

fn review_from_row(row: &Row<'_>) -> rusqlite::Result<DeviationReview> {
    let verdict: String = row.get(4)?;
    let entitlement: String = row.get(3)?;
    let entitlement = serde_json::from_str(&entitlement).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, e.into())
    })?;
    Ok(DeviationReview {
        id: row.get(0)?,
        system: row.get(1)?,
        account: row.get(2)?,
        entitlement,
        // An unknown verdict (a newer file) is read as the cautious one: leave the right alone.
        verdict: ReviewVerdict::parse(&verdict).unwrap_or(ReviewVerdict::Exclude),
        reason: row.get(5)?,
        by: row.get(6)?,
        at: parse_time(&row.get::<_, String>(7)?)?,
        until: row
            .get::<_, Option<String>>(8)?
            .and_then(|d| d.parse().ok()),
    })
}

impl DeviationReviews for SqliteStore {
    fn add_review(&self, review: &NewReview, at: DateTime<Utc>) -> Result<i64> {
        if review.reason.trim().is_empty() {
            return Err(Error::MissingReason);
        }
        let entitlement = serde_json::to_string(&review.entitlement).table("deviation_reviews")?;
        self.atomically(|| {
            self.conn
                .execute(
                    "UPDATE deviation_reviews SET withdrawn_at = ?4 WHERE system = ?1 \
                     AND account = ?2 AND entitlement = ?3 AND withdrawn_at IS NULL",
                    params![review.system, review.account, entitlement, fmt_time(at)],
                )
                .ctx("withdrawing an earlier review")?;
            self.conn
                .execute(
                    "INSERT INTO deviation_reviews (system, account, entitlement, verdict, \
                     reason, by, at, until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        review.system,
                        review.account,
                        entitlement,
                        review.verdict.as_str(),
                        review.reason,
                        review.by,
                        fmt_time(at),
                        review.until.map(|d| d.to_string()),
                    ],
                )
                .ctx("recording a deviation review")?;
            Ok(self.conn.last_insert_rowid())
        })
    }

    fn reviews(&self, system: Option<&str>) -> Result<Vec<DeviationReview>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, system, account, entitlement, verdict, reason, by, at, until \
                 FROM deviation_reviews WHERE (?1 IS NULL OR system = ?1) \
                 AND withdrawn_at IS NULL ORDER BY id",
            )
            .ctx("reading deviation reviews")?;
        let rows = stmt.query_map([system], review_from_row);
        rows.ctx("reading deviation reviews")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading deviation reviews")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::EntitlementRef;

    fn review(verdict: ReviewVerdict, reason: &str) -> NewReview {
        NewReview {
            system: "ad".into(),
            account: "CN=ann".into(),
            entitlement: EntitlementRef {
                kind: "group".into(),
                key: "vpn".into(),
            },
            verdict,
            reason: reason.into(),
            by: "rita".into(),
            until: None,
        }
    }

    #[test]
    fn a_later_review_of_the_same_right_replaces_the_earlier_one() {
        let store = SqliteStore::open_in_memory().expect("open");
        let at = DateTime::<Utc>::default();
        store
            .add_review(&review(ReviewVerdict::Exclude, "project"), at)
            .expect("first");
        let second = store
            .add_review(&review(ReviewVerdict::Revoke, "project over"), at)
            .expect("second");
        let found = store.reviews(Some("ad")).expect("reviews");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, second);
        assert_eq!(found[0].verdict, ReviewVerdict::Revoke);
        assert_eq!(found[0].entitlement.key, "vpn");
        assert!(store.reviews(Some("hix")).expect("none").is_empty());
    }

    #[test]
    fn a_review_without_a_reason_is_refused() {
        let store = SqliteStore::open_in_memory().expect("open");
        let blank = review(ReviewVerdict::Revoke, "  ");
        let refused = store.add_review(&blank, DateTime::<Utc>::default());
        assert!(matches!(refused, Err(Error::MissingReason)));
        assert!(store.reviews(None).expect("reviews").is_empty());
    }
}
