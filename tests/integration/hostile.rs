use tessera_domain::SourceConnector;
use tessera_runtime::{CallError, FaultKind, Runtime};
use tessera_testkit::{TestInstall, runtime};

const CONFIG: &str = r#"
[systems.good]
plugin = "good-source"
config = { persons = 1200, page_size = 500 }

[systems.rogue]
plugin = "hostile"
config = { mode = "loop" }
limits = { cpu_seconds = 0.3, memory_mib = 16 }
"#;

/// Runs the hostile plugin in `mode` and returns the error of its `read`.
async fn hostile_read(rt: &Runtime, mode: &str) -> CallError {
    hostile_read_in(rt, mode, 16).await
}

/// `hostile_read` with a memory cap of `memory_mib`.
async fn hostile_read_in(rt: &Runtime, mode: &str, memory_mib: u32) -> CallError {
    let config = CONFIG
        .replace("mode = \"loop\"", &format!("mode = \"{mode}\""))
        .replace("memory_mib = 16", &format!("memory_mib = {memory_mib}"));
    let t = TestInstall::new(&config);
    let mut inst = t.with_plugins(&["hostile"]);
    let (system, _) = inst.prepare(rt, "rogue").unwrap();
    let mut source = system.source().await.unwrap();
    source
        .call_read(None)
        .await
        .expect_err("hostile read must fail")
}

/// After any fault, the same runtime still runs a well-behaved plugin to completion.
async fn good_still_runs(rt: &Runtime) {
    let t = TestInstall::new(CONFIG);
    let mut inst = t.with_plugins(&["good-source"]);
    let (system, _) = inst.prepare(rt, "good").unwrap();
    let mut source = system.source().await.unwrap();
    let (mut persons, mut cursor) = (0, None);
    for _ in 0..10 {
        let page = source.read(cursor.take()).await.unwrap();
        persons += page.persons.len();
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(persons, 1200);
}

fn fault_of(e: CallError) -> tessera_runtime::PluginFault {
    match e {
        CallError::Fault(f) => f,
        other => panic!("expected a fault, got {other:?}"),
    }
}

async fn assert_fault(mode: &str, kind: FaultKind, needle: &str) {
    let rt = runtime();
    let fault = fault_of(hostile_read(&rt, mode).await);
    assert_eq!(fault.kind, kind, "{fault}");
    assert_eq!(
        (
            fault.plugin.as_str(),
            fault.system.as_str(),
            fault.call.as_str()
        ),
        ("hostile@0.1.0", "rogue", "read")
    );
    assert!(fault.message.contains(needle), "{fault}");
    good_still_runs(&rt).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infinite_loop_hits_the_cpu_deadline() {
    assert_fault("loop", FaultKind::Timeout, "CPU deadline").await;
}

/// Printed guest text does not decide the fault: the trap does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printed_fake_panic_before_a_timeout_is_a_timeout() {
    assert_fault("fake-panic", FaultKind::Timeout, "CPU deadline").await;
    let fault = fault_of(hostile_read(&runtime(), "fake-panic").await);
    assert!(!fault.to_string().contains("rotate"), "{fault}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_allocation_hits_the_memory_cap() {
    assert_fault("alloc", FaultKind::OutOfMemory, "memory cap of 16 MiB").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_recursion_is_a_stack_overflow() {
    assert_fault("recursion", FaultKind::StackOverflow, "stack").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_carries_the_guest_message() {
    assert_fault(
        "panic",
        FaultKind::Panic,
        "hostile plugin panicked on purpose",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_page_is_refused_as_invalid() {
    let rt = runtime();
    // The page must reach the host to be refused there, so the plugin gets room to build it.
    match hostile_read_in(&rt, "huge", 64).await {
        CallError::Connector(tessera_domain::ConnectorError::Invalid { field, message }) => {
            assert_eq!(field, "persons");
            assert!(message.contains("60000 records in one page"), "{message}");
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    good_still_runs(&rt).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_faulted_instance_refuses_further_calls_with_the_same_fault() {
    let rt = runtime();
    let t = TestInstall::new(&CONFIG.replace("\"loop\"", "\"panic\""));
    let mut inst = t.with_plugins(&["hostile"]);
    let (system, _) = inst.prepare(&rt, "rogue").unwrap();
    let mut source = system.source().await.unwrap();
    let first = fault_of(source.call_read(None).await.unwrap_err());
    let second = fault_of(source.call_test_connection().await.unwrap_err());
    assert_eq!(first, second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_files_environment_network_or_stdin() {
    let rt = runtime();
    let t = TestInstall::new(CONFIG);
    let mut inst = t.with_plugins(&["hostile"]);
    let (system, _) = inst.prepare(&rt, "rogue").unwrap();
    let mut source = system.source().await.unwrap();
    let report = source.call_test_connection().await.unwrap();
    assert!(report.starts_with("file=Err("), "{report}");
    assert!(report.contains("env=[]"), "{report}");
    assert!(report.contains("net=Err("), "{report}");
    assert!(
        report.contains("stdin=Ok(\"\")") || report.contains("stdin=Err("),
        "{report}"
    );
}
