//! The console over HTTP on loopback: logins and roles, CSRF, rate limits and security
//! headers, the decisions of each page and what the next sync makes of them, and a real
//! browser (Debian's chromium through chromedriver) going through the pages.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod access;
mod browser;
mod decisions;
mod support;
