//! Reviewers' decisions on deviations: a revoke is carried out whatever the policy, an
//! exclusion keeps the right until its last day, and then the policy applies again.

use tessera_store::{DeviationReview, ReviewVerdict};

use super::*;

fn review(verdict: ReviewVerdict, until: Option<&str>) -> DeviationReview {
    DeviationReview {
        id: 7,
        system: "ad".into(),
        account: "acc-1".into(),
        entitlement: group_ref("vpn"),
        verdict,
        reason: "checked with the ward".into(),
        by: "rita".into(),
        at: DateTime::<Utc>::default(),
        until: until.map(date),
    }
}

fn planned(policy: &str, reviews: Vec<DeviationReview>, owner: Option<&str>) -> Plan {
    let text = MODEL.replace(
        "[system.ad]\n",
        &format!("[system.ad]\ndeviations = \"{policy}\"\n"),
    );
    let model = RoleModel::parse("roles.toml", &text).expect("model");
    let mut c = case(
        "review",
        vec![person("ann", "IC", "2026-01-01", None)],
        vec![shadow("acc-1", owner, true)],
        vec![member("acc-1", "ic"), member("acc-1", "vpn")],
        vec![],
    );
    c.reviews = reviews;
    plan_for(&model, &c, &HashSet::new())
}

fn ops(plan: &Plan) -> Vec<String> {
    plan.operations.iter().map(|p| describe(&p.op)).collect()
}

#[test]
fn a_revoke_review_is_carried_out_under_the_report_policy() {
    let plan = planned(
        "report",
        vec![review(ReviewVerdict::Revoke, None)],
        Some("ann"),
    );
    assert_eq!(ops(&plan), vec!["revoke acc-1 vpn"]);
    let why = &plan.operations[0].why;
    assert!(why.contains("review #7 by rita"), "{why}");
    assert_eq!(plan.deviations[0].review.as_ref().map(|r| r.id), Some(7));
}

#[test]
fn an_exclusion_keeps_the_right_until_its_last_day() {
    let kept = planned(
        "revoke",
        vec![review(ReviewVerdict::Exclude, Some("2026-12-31"))],
        Some("ann"),
    );
    assert!(ops(&kept).is_empty(), "{:?}", ops(&kept));
    assert_eq!(kept.deviations.len(), 1, "still listed, as excluded");
    let lapsed = planned(
        "revoke",
        vec![review(ReviewVerdict::Exclude, Some("2026-11-21"))],
        Some("ann"),
    );
    assert_eq!(ops(&lapsed), vec!["revoke acc-1 vpn"]);
    assert!(lapsed.deviations[0].review.is_none());
}

#[test]
fn a_review_of_another_right_changes_nothing() {
    let mut other = review(ReviewVerdict::Revoke, None);
    other.entitlement = group_ref("ic");
    let plan = planned("report", vec![other], Some("ann"));
    assert!(ops(&plan).is_empty());
}

#[test]
fn a_reviewer_may_revoke_a_right_of_an_account_nobody_owns() {
    // Ann has no account of her own here, so the plan also creates one; only acc-1 matters.
    let on_acc = |plan: &Plan| -> Vec<String> {
        ops(plan)
            .into_iter()
            .filter(|op| op.contains("acc-1"))
            .collect()
    };
    let plan = planned("revoke", vec![review(ReviewVerdict::Revoke, None)], None);
    assert_eq!(on_acc(&plan), vec!["revoke acc-1 vpn"]);
    let untouched = planned("revoke", vec![], None);
    assert!(
        on_acc(&untouched).is_empty(),
        "without a review, listed only"
    );
}
