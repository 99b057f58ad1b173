//! A real browser through the pages: Debian's chromium, headless, driven by chromedriver on
//! loopback. A reviewer logs in, finds the deviation, revokes it with a reason; an auditor
//! finds her decision in the trail. Screenshots of each page are kept in
//! `target/console-screenshots/` for people to look at.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use nix::sys::signal::Signal;
use tessera_console::Settings;

use crate::decisions::{four_held_creates, nurse_with_a_deviation};
use crate::support::PASSWORD;

/// chromedriver in a process group of its own, which is killed whole when dropped: a test
/// that fails midway leaves no browser behind.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver runs (tests/run installs Debian's chromium-driver)");
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// A headless chromium session, once the driver answers (at most 100 tries, 50 ms apart).
    async fn session(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        let options = serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,900"],
        });
        capabilities.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::new(connector.clone())
                .capabilities(capabilities.clone())
                .connect(&self.url)
                .await
            {
                Ok(client) => return client,
                Err(e) => last = Some(e.to_string()),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("chromedriver never answered: {last:?}");
    }
}

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shoot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
}

/// The element `what` of the page a submitted form leads to: a click returns before the
/// next page has loaded. Waits at most ten seconds.
async fn arrive(browser: &Client, what: Locator<'_>) -> fantoccini::elements::Element {
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(what)
        .await
        .unwrap_or_else(|e| panic!("the next page never showed {what:?}: {e}"))
}

async fn log_in(browser: &Client, base: &str, user: &str) {
    browser.goto(&format!("{base}/login")).await.unwrap();
    browser
        .find(Locator::Id("user"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    let password = browser.find(Locator::Id("password")).await.unwrap();
    password.send_keys(PASSWORD).await.unwrap();
    password.click().await.unwrap();
    browser
        .find(Locator::Css("form[action='/login'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let who = arrive(browser, Locator::Css("form.who span")).await;
    assert!(
        who.text().await.unwrap().contains(user),
        "logged in as {user}"
    );
}

#[tokio::test]
async fn a_reviewer_revokes_a_deviation_in_a_browser_and_an_auditor_finds_it() {
    let (_life, _target, console, _today) = nurse_with_a_deviation(Settings::default()).await;
    let base = format!("http://{}", console.addr);
    let driver = Driver::start();
    let browser = driver.session().await;
    browser.goto(&format!("{base}/login")).await.unwrap();
    shoot(&browser, "login").await;
    log_in(&browser, &base, "rita").await;
    shoot(&browser, "dashboard").await;
    browser.goto(&format!("{base}/deviations")).await.unwrap();
    shoot(&browser, "deviations").await;
    let row = browser
        .find(Locator::XPath("//tr[td/code='group/vpn']"))
        .await
        .unwrap();
    assert!(
        row.text().await.unwrap().contains("Anna"),
        "the deviation names its person"
    );
    row.find(Locator::Css("input[name='reason']"))
        .await
        .unwrap()
        .send_keys("no VPN for ward staff")
        .await
        .unwrap();
    row.find(Locator::Css("button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let notice = arrive(&browser, Locator::Css("p.notice")).await;
    assert!(!notice.text().await.unwrap().is_empty());
    let row = browser
        .find(Locator::XPath("//tr[td/code='group/vpn']"))
        .await
        .unwrap();
    assert!(
        row.text().await.unwrap().contains("revok"),
        "the row says it will be revoked"
    );
    shoot(&browser, "deviation-decided").await;
    browser
        .find(Locator::Css("form.who button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&browser, Locator::Css("form[action='/login']")).await;
    let url = browser.current_url().await.unwrap();
    assert!(
        url.path().ends_with("/login"),
        "{url}: {}",
        browser.source().await.unwrap()
    );

    log_in(&browser, &base, "audrey").await;
    browser
        .goto(&format!("{base}/audit?actor=rita"))
        .await
        .unwrap();
    let table = browser.find(Locator::Css("main table")).await.unwrap();
    assert!(table.text().await.unwrap().contains("deviation-revoke"));
    shoot(&browser, "audit").await;
    browser.goto(&format!("{base}/deviations")).await.unwrap();
    let forms = browser
        .find_all(Locator::Css("form[action='/deviations/review']"))
        .await;
    assert!(
        forms.unwrap().is_empty(),
        "an auditor is offered no decisions"
    );
    browser.close().await.unwrap();
}

#[tokio::test]
async fn an_operator_approves_held_creates_in_a_browser_and_the_next_sync_makes_them() {
    let (life, target, console, today) = four_held_creates().await;
    let base = format!("http://{}", console.addr);
    let driver = Driver::start();
    let browser = driver.session().await;
    log_in(&browser, &base, "olga").await;
    browser.goto(&format!("{base}/plan")).await.unwrap();
    browser
        .find(Locator::Css("main form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let held = arrive(&browser, Locator::Css("td.state-waiting")).await;
    assert!(
        held.text().await.unwrap().contains("threshold"),
        "the dry run shows them held"
    );
    shoot(&browser, "next-plan").await;
    browser.goto(&format!("{base}/approvals")).await.unwrap();
    shoot(&browser, "approvals").await;
    let picks = browser
        .find_all(Locator::Css("input[type='checkbox'][name='id']"))
        .await
        .unwrap();
    assert_eq!(picks.len(), 4, "four held creates");
    for pick in &picks[..2] {
        pick.click().await.unwrap();
    }
    browser
        .find(Locator::Id("approval-reason"))
        .await
        .unwrap()
        .send_keys("new starters on IC")
        .await
        .unwrap();
    browser
        .find(Locator::Css("button[value='approve']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&browser, Locator::Css("p.notice")).await;
    let picks = browser
        .find_all(Locator::Css("input[type='checkbox'][name='id']"))
        .await
        .unwrap();
    assert_eq!(picks.len(), 2, "two still wait");
    shoot(&browser, "approvals-decided").await;
    life.cycle(today).await;
    assert_eq!(
        target.state().accounts.len(),
        2,
        "the next sync made the two"
    );
    browser.goto(&format!("{base}/runs")).await.unwrap();
    shoot(&browser, "runs").await;
    browser.goto(&format!("{base}/persons/p1")).await.unwrap();
    let body = browser
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("IC nurses"),
        "the person page explains the right: {body}"
    );
    shoot(&browser, "person").await;
    browser.close().await.unwrap();
}
