//! Decisions made in the console and what the next sync makes of them: a reviewer's revoke
//! is carried out, an adopted deviation becomes a manual grant, and under four eyes a grant
//! holds only once a second operator has approved it.

use chrono::{Days, NaiveDate, Utc};
use reqwest::StatusCode;
use tessera_console::Settings;
use tessera_domain::{Entitlement, EntitlementRef, Person};
use tessera_store::prelude::*;
use tessera_store::{BlockedStatus, SqliteStore};
use tessera_testkit::fakes::FakeTarget;
use tessera_testkit::models::IC_NURSES;
use tessera_testkit::{Lifecycle, person, shift};

use crate::support::Console;

fn vpn() -> EntitlementRef {
    EntitlementRef {
        kind: "group".into(),
        key: "vpn".into(),
    }
}

/// IC nurses `p1`, `p2`, … with these given names, on shift from today for a hundred days.
fn nurses(names: &[&str], today: NaiveDate) -> Vec<Person> {
    let ends = today.checked_add_days(Days::new(100)).unwrap();
    names
        .iter()
        .enumerate()
        .map(|(i, given)| {
            let id = format!("p{}", i + 1);
            person(&id, given, "Jansen", vec![shift("s1", "IC", today, ends)])
        })
        .collect()
}

/// A store file with `model`, `persons` imported and one sync run, and a console over it.
/// The console's clock is the real one, so the simulated days are today's.
async fn installation(
    model: &str,
    persons: &[&str],
    settings: Settings,
) -> (Lifecycle, FakeTarget, Console, NaiveDate) {
    let today = Utc::now().date_naive();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tessera.db");
    let target = FakeTarget::new(true);
    let mut life = Lifecycle::fake("ad", target.clone());
    life.store = SqliteStore::open(&path).unwrap();
    life.model(model);
    life.import(nurses(persons, today), today).await;
    life.cycle(today).await;
    let console = Console::start_on(dir, path, settings, model).await;
    (life, target, console, today)
}

/// A nurse with an AD account that also holds `vpn`, which no rule gives, read by a full
/// run; and a console over the same store.
pub(crate) async fn nurse_with_a_deviation(
    settings: Settings,
) -> (Lifecycle, FakeTarget, Console, NaiveDate) {
    let (life, target, console, today) = installation(IC_NURSES, &["Anna"], settings).await;
    let account = target.state().accounts.keys().next().unwrap().clone();
    target.state().memberships.insert((account, vpn()));
    target.state().catalogue.push(Entitlement {
        kind: "group".into(),
        key: "vpn".into(),
        display_name: "VPN users (remote access)".into(),
        attributes: vec![],
    });
    life.cycle(today).await;
    (life, target, console, today)
}

/// Four nurses whose creates a threshold of two holds back; two of them approved, the other
/// two are still too many.
pub(crate) async fn four_held_creates() -> (Lifecycle, FakeTarget, Console, NaiveDate) {
    let model = IC_NURSES.replace(
        "[[rule]]",
        "[system.ad.thresholds]\ncreate = { count = 2 }\n\n[[rule]]",
    );
    let names = ["Anna", "Bram", "Cem", "Dirk"];
    let (life, target, console, today) = installation(&model, &names, Settings::default()).await;
    assert!(target.state().accounts.is_empty(), "every create held");
    (life, target, console, today)
}

fn holds_vpn(target: &FakeTarget) -> bool {
    target.state().memberships.iter().any(|(_, e)| *e == vpn())
}

#[tokio::test]
async fn a_reviewers_revoke_is_carried_out_by_the_next_sync_and_the_trail_names_her() {
    let (life, target, console, today) = nurse_with_a_deviation(Settings::default()).await;
    let mut rita = console.login("rita").await;
    let page = rita.get("/deviations").await;
    assert!(
        page.body.contains("vpn") && page.body.contains("p1"),
        "{}",
        page.body
    );
    let account = target.state().accounts.keys().next().unwrap().clone();
    let form = [
        ("system", "ad"),
        ("account", account.as_str()),
        ("kind", "group"),
        ("key", "vpn"),
        ("verdict", "revoke"),
        ("reason", "no VPN for ward staff"),
    ];
    let reply = rita
        .submit("/deviations", "/deviations/review", &form)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(
        holds_vpn(&target),
        "the console itself never touches a target"
    );
    let standing = rita.get("/deviations").await.body;
    assert!(standing.contains("revoke"), "{standing}");
    life.cycle(today).await;
    assert!(!holds_vpn(&target), "the next sync revoked it");
    let trail = life.store.audit_entries(None).unwrap();
    let review = trail
        .iter()
        .find(|e| e.record.action == "deviation-revoke")
        .expect("the review is audited");
    assert_eq!(review.record.actor.as_deref(), Some("rita"));
    let text = serde_json::to_string(&trail).unwrap();
    assert!(
        text.contains("by rita: no VPN for ward staff"),
        "the revoke says why"
    );
}

#[tokio::test]
async fn an_adopted_deviation_becomes_a_manual_grant_and_stays() {
    let (life, target, console, today) = nurse_with_a_deviation(Settings::default()).await;
    let mut rita = console.login("rita").await;
    let account = target.state().accounts.keys().next().unwrap().clone();
    let until = today.checked_add_days(Days::new(30)).unwrap().to_string();
    let form = [
        ("system", "ad"),
        ("account", account.as_str()),
        ("kind", "group"),
        ("key", "vpn"),
        ("verdict", "adopt"),
        ("reason", "on call from home"),
        ("until", until.as_str()),
    ];
    let reply = rita
        .submit("/deviations", "/deviations/review", &form)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let grants = life.store.grants(false).unwrap();
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0].author, "rita");
    assert_eq!(grants[0].until.map(|d| d.to_string()), Some(until));
    life.cycle(today).await;
    assert!(holds_vpn(&target), "kept");
    let mut audrey = console.login("audrey").await;
    let listed = audrey.get("/grants").await.body;
    assert!(listed.contains("on call from home"), "{listed}");
}

#[tokio::test]
async fn under_four_eyes_a_grant_holds_only_after_another_operator_approves_it() {
    let settings = Settings {
        four_eyes: true,
        ..Settings::default()
    };
    let (life, target, console, today) = nurse_with_a_deviation(settings).await;
    target.state().memberships.retain(|(_, e)| *e != vpn());
    let mut olga = console.login("olga").await;
    let form = [
        ("person", "p1"),
        ("system", "ad"),
        ("kind", "group"),
        ("key", "vpn"),
        ("reason", "night shifts from home"),
    ];
    let made = olga.submit("/grants", "/grants", &form).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let id = life.store.grants(false).unwrap()[0].id.to_string();
    let own = olga
        .submit("/grants", &format!("/grants/{id}/approve"), &[])
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);
    life.cycle(today).await;
    assert!(!holds_vpn(&target), "an unapproved grant gives nothing");
    let mut oscar = console.login("oscar").await;
    let approved = oscar
        .submit("/grants", &format!("/grants/{id}/approve"), &[])
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    life.cycle(today).await;
    assert!(holds_vpn(&target), "granted once approved");
    let trail = life.store.audit_entries(None).unwrap();
    let by = |who: &str, outcome: &str| {
        trail.iter().any(|e| {
            e.record.actor.as_deref() == Some(who)
                && e.record.action.contains("grant")
                && e.record.outcome.starts_with(outcome)
        })
    };
    assert!(
        by("olga", "refused"),
        "her own approval was refused and audited"
    );
    assert!(by("oscar", "ok"), "his approval is audited");
}

#[tokio::test]
async fn approvals_in_bulk_are_all_or_nothing_and_the_next_sync_carries_them_out() {
    let (life, target, console, today) = four_held_creates().await;
    let held = life
        .store
        .blocked_actions(Some("ad"), BlockedStatus::Blocked)
        .unwrap();
    assert_eq!(held.len(), 4);
    let ids: Vec<String> = held.iter().map(|b| b.id.to_string()).collect();
    let mut olga = console.login("olga").await;
    let stale = [
        ("id", ids[0].as_str()),
        ("id", "999999"),
        ("verdict", "approve"),
        ("reason", "new starters"),
    ];
    let refused = olga.submit("/approvals", "/approvals/decide", &stale).await;
    assert!(refused.status.is_client_error(), "{}", refused.body);
    assert!(refused.body.contains("999999"), "{}", refused.body);
    let still = life
        .store
        .blocked_actions(Some("ad"), BlockedStatus::Blocked)
        .unwrap();
    assert_eq!(still.len(), 4, "a stale id leaves every action as it was");
    let picked = [
        ("id", ids[0].as_str()),
        ("id", ids[1].as_str()),
        ("verdict", "approve"),
        ("reason", "new starters"),
    ];
    let done = olga
        .submit("/approvals", "/approvals/decide", &picked)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    life.cycle(today).await;
    assert_eq!(
        target.state().accounts.len(),
        2,
        "the two approved creates ran"
    );
    let trail = life.store.audit_entries(None).unwrap();
    let approvals = trail
        .iter()
        .filter(|e| e.record.actor.as_deref() == Some("olga") && e.record.action == "approve")
        .count();
    assert_eq!(approvals, 2);
}

#[tokio::test]
async fn the_next_plan_shows_what_the_next_sync_will_do_and_stores_nothing() {
    let (life, target, console, today) =
        installation(IC_NURSES, &["Anna"], Settings::default()).await;
    // The group's name, read with the next full listing of the target.
    target.state().catalogue.push(Entitlement {
        kind: "group".into(),
        key: "ic".into(),
        display_name: "IC nurses (all wards)".into(),
        attributes: vec![],
    });
    life.cycle(today).await;
    life.import(nurses(&["Anna", "Bram"], today), today).await;
    let stored = |life: &Lifecycle| life.store.recent_plans(None, false, 100).unwrap().len();
    let before = stored(&life);
    let mut audrey = console.login("audrey").await;
    let asked = audrey.get("/plan").await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(!asked.body.contains("bjansen"), "computed only when asked");
    let page = audrey.get("/plan?compute=yes").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("1 create"), "{}", page.body);
    assert!(page.body.contains("p2"), "{}", page.body);
    assert!(
        page.body.contains("group/ic (IC nurses (all wards))"),
        "the catalogue name beside the key: {}",
        page.body
    );
    assert!(!page.body.contains("<td>p1</td>"), "Anna has all she needs");
    assert_eq!(stored(&life), before, "a dry run stores no plan");
    assert_eq!(target.state().accounts.len(), 1, "and touches no target");
    life.cycle(today).await;
    assert_eq!(
        target.state().accounts.len(),
        2,
        "the sync did what the page said"
    );
}
