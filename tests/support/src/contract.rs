//! The contract scenarios of [`tessera_contract`], for tests: each panics naming the step that
//! broke, so a plugin's test reads `contract::target(&mut conn, &case).await`.

use tessera_domain::{Person, SourceConnector, TargetConnector};

pub use tessera_contract::{EVERY_STEP, TargetCase, every_step_but};

/// [`tessera_contract::target`]; returns the steps that ran.
pub async fn target(conn: &mut dyn TargetConnector, case: &TargetCase) -> Vec<&'static str> {
    tessera_contract::target(conn, case)
        .await
        .unwrap_or_else(|broken| panic!("target contract broken at {broken}"))
}

/// [`tessera_contract::feed`]; returns the steps that ran.
pub async fn feed(conn: &mut dyn TargetConnector, case: &TargetCase) -> Vec<&'static str> {
    tessera_contract::feed(conn, case)
        .await
        .unwrap_or_else(|broken| panic!("change-feed contract broken at {broken}"))
}

/// [`tessera_contract::source`]; returns the persons of the first read.
pub async fn source(conn: &mut dyn SourceConnector) -> Vec<Person> {
    tessera_contract::source(conn)
        .await
        .unwrap_or_else(|broken| panic!("source contract broken at {broken}"))
}
