//! Host capabilities, measured through the `cap-probe` plugin against the same work done
//! directly: an LDAP search of 10,000 entries (real slapd) vs ldap3, an HTTP round trip vs
//! reqwest, and a 5 MiB SOAP response fetched and queried through the xml capability vs
//! reqwest + quick-xml. Prints medians; checks only that both sides saw the same data.
//!
//! Run: `cargo bench -p tessera-tests --bench capabilities` (needs Debian's slapd).

use std::sync::Arc;
use std::time::{Duration, Instant};

use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{LdapConnAsync, Scope, SearchEntry};
use quick_xml::events::Event;
use serde_json::{Value, json};
use tessera_runtime::{MemoryServices, Runtime, RuntimeOptions, WasmSource};
use tessera_test_servers::slapd::{Slapd, SlapdOptions};
use tessera_test_servers::web::WebServer;
use tessera_testkit::TestInstall;

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const RECORDS: usize = 19_000; // ≈ 5 MiB of SOAP
/// For benches that do not use LDAP: the probe imports ldap, so a connection must exist.
const IDLE_LDAP: &str = "[ldap.directory]\nurl = \"ldap://127.0.0.1:9\"\nbase_dn = \"dc=example,dc=org\"\ntls = \"none\"\n";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A prepared probe with fixed commands, its install kept alive.
struct Probe {
    _install: TestInstall,
    source: WasmSource,
}

async fn probe(
    runtime: &Runtime,
    ldap: &str,
    origin: &str,
    commands: &[Value],
    secrets: &[(&str, &str)],
) -> Probe {
    let list = toml::Value::Array(
        commands
            .iter()
            .map(|c| toml::Value::String(c.to_string()))
            .collect(),
    );
    let text = format!(
        "{ldap}\n[systems.probe]\nplugin = \"cap-probe\"\n[systems.probe.config]\nbase_url = \"{origin}\"\ncommands = {list}\n[systems.probe.grants]\nhttp = [\"{origin}\"]\nhttp_insecure = [\"{origin}\"]\nhttp_private = [\"{origin}\"]\nldap = [\"directory\"]\nxml = true\nstate = true\n[systems.probe.limits]\nmemory_mib = 512\nhttp_body_mib = 64\n"
    );
    let install = TestInstall::new(&text);
    let mut inst = install.with_plugins(&["cap-probe"]);
    inst.set_services(Arc::new(MemoryServices::with_secrets(
        secrets.iter().copied(),
    )));
    let (system, _) = inst.prepare(runtime, "probe").expect("prepare");
    let source = system.source().await.expect("instance");
    Probe {
        _install: install,
        source,
    }
}

async fn run(p: &mut Probe) -> Vec<Value> {
    let out = p.source.call_test_connection().await.expect("probe runs");
    serde_json::from_str(&out).expect("JSON")
}

async fn ldap_bench(runtime: &Runtime) {
    let slapd = Slapd::start(SlapdOptions::default());
    let base = slapd.add_people("people", 10_000);
    let ldap = format!(
        "[ldap.directory]\nurl = \"{}\"\nbind_dn = \"{}\"\nbind_secret = \"bind\"\nbase_dn = \"{base}\"\ntls = \"none\"\n",
        slapd.url(),
        slapd.root_dn()
    );
    let search = json!({"op": "ldap-search", "conn": "directory", "base": base, "scope": "one", "filter": "(objectClass=inetOrgPerson)", "attrs": ["uid", "cn", "sn", "mail"], "page_size": 1000, "count_only": true});
    let mut p = probe(
        runtime,
        &ldap,
        "https://unused.example.org",
        &[search],
        &[("bind", slapd.root_password())],
    )
    .await;
    let mut through = Vec::new();
    for _ in 0..9 {
        let start = Instant::now();
        let r = run(&mut p).await;
        through.push(start.elapsed());
        assert_eq!(r[0]["ok"]["count"], 10_000, "{}", r[0]);
    }
    let (conn, mut ldap3) = LdapConnAsync::new(&slapd.url()).await.expect("connect");
    ldap3::drive!(conn);
    ldap3
        .simple_bind(&slapd.root_dn(), slapd.root_password())
        .await
        .expect("bind")
        .success()
        .expect("bind ok");
    let mut direct = Vec::new();
    for _ in 0..9 {
        let start = Instant::now();
        let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
            Box::new(EntriesOnly::new()),
            Box::new(PagedResults::new(1000)),
        ];
        let mut stream = ldap3
            .streaming_search_with(
                adapters,
                &base,
                Scope::OneLevel,
                "(objectClass=inetOrgPerson)",
                vec!["uid", "cn", "sn", "mail"],
            )
            .await
            .expect("search");
        let mut n = 0;
        while let Some(entry) = stream.next().await.expect("entry") {
            std::hint::black_box(SearchEntry::construct(entry));
            n += 1;
        }
        stream.finish().await.success().expect("done");
        direct.push(start.elapsed());
        assert_eq!(n, 10_000);
    }
    let (t, d) = (median(through), median(direct));
    println!("LDAP search, 10,000 entries, pages of 1,000 (real slapd)");
    println!("  through the plugin        {:>9.1} ms", ms(t));
    println!(
        "  ldap3 directly            {:>9.1} ms   ratio {:.2}× (goal ≤ 1.3×)",
        ms(d),
        ms(t) / ms(d)
    );
}

async fn http_bench(runtime: &Runtime, server: &WebServer) {
    const N: usize = 200;
    let hello = json!({"op": "http", "url": server.url("/hello")});
    let mut p = probe(runtime, IDLE_LDAP, &server.origin(), &vec![hello; N], &[]).await;
    run(&mut p).await; // warm the connection pool
    let mut through = Vec::new();
    for _ in 0..9 {
        let start = Instant::now();
        let r = run(&mut p).await;
        through.push(start.elapsed() / N as u32);
        assert_eq!(r[N - 1]["ok"]["status"], 200);
    }
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let url = server.url("/hello");
    let mut direct = Vec::new();
    for _ in 0..9 {
        let start = Instant::now();
        for _ in 0..N {
            let body = client
                .get(&url)
                .send()
                .await
                .expect("send")
                .bytes()
                .await
                .expect("body");
            assert_eq!(&body[..], b"hello");
        }
        direct.push(start.elapsed() / N as u32);
    }
    let (t, d) = (median(through), median(direct));
    println!("HTTP GET round trip on loopback (mean of {N}, median of 9)");
    println!(
        "  through the capability    {:>9.1} µs",
        t.as_secs_f64() * 1e6
    );
    println!(
        "  reqwest directly          {:>9.1} µs   overhead {:.1} µs, {:.2}× (goal ≤ 1.2× + 50 µs)",
        d.as_secs_f64() * 1e6,
        (t.as_secs_f64() - d.as_secs_f64()) * 1e6,
        t.as_secs_f64() / d.as_secs_f64()
    );
}

/// The `<ldap>` text of every `<gebruiker>`, by a plain quick-xml event loop.
fn quick_xml_logins(text: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let (mut out, mut in_ldap) = (Vec::new(), false);
    loop {
        match reader.read_event().expect("well-formed") {
            Event::Start(e) => in_ldap = e.local_name().as_ref() == "ldap",
            Event::Text(t) if in_ldap => out.push(t.xml10_content().into_owned()),
            Event::End(_) => in_ldap = false,
            Event::Eof => return out,
            _ => {}
        }
    }
}

/// How the plugin reads the records.
#[derive(Clone, Copy)]
enum Read {
    /// Parse, then element by element.
    Elements,
    /// Parse, then one `select-texts` call.
    Table,
    /// One `scan-texts` pass over the body, no document.
    Scan,
}

impl Read {
    const ALL: [Read; 3] = [Read::Elements, Read::Table, Read::Scan];

    fn label(self) -> &'static str {
        match self {
            Read::Elements => "parse, element by element",
            Read::Table => "parse, select-texts",
            Read::Scan => "scan-texts, no document",
        }
    }
}

/// A probe that fetches the response and reads one field of every record its way.
async fn xml_probe(runtime: &Runtime, server: &WebServer, read: Read) -> Probe {
    let url = server.url(&format!("/soap?records={RECORDS}"));
    let op = match read {
        Read::Scan => "xml-scan",
        Read::Elements | Read::Table => "xml-fetch",
    };
    let table = matches!(read, Read::Table);
    let fetch = json!({"op": op, "url": url, "ns": [["s", SOAP11]], "select": "/s:Envelope/s:Body//gebruiker", "fields": ["ldap"], "count_only": true, "table": table});
    probe(runtime, IDLE_LDAP, &server.origin(), &[fetch], &[]).await
}

/// The same read without the plugin: reqwest, then a quick-xml event loop; the body's size.
async fn xml_direct(client: &reqwest::Client, url: &str) -> usize {
    let text = client
        .get(url)
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("body");
    assert_eq!(quick_xml_logins(&text).len(), RECORDS);
    text.len()
}

/// Samples of every read interleave with the direct ones, so a slow phase of a shared machine
/// falls on all of them alike instead of on whichever ran then.
async fn xml_bench(runtime: &Runtime, server: &WebServer) {
    let url = server.url(&format!("/soap?records={RECORDS}"));
    let mut probes = Vec::new();
    for read in Read::ALL {
        probes.push((read, xml_probe(runtime, server, read).await, Vec::new()));
    }
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let (mut direct, mut size) = (Vec::new(), 0);
    for _ in 0..9 {
        let start = Instant::now();
        size = xml_direct(&client, &url).await;
        direct.push(start.elapsed());
        for (_, p, samples) in &mut probes {
            let start = Instant::now();
            let r = run(p).await;
            samples.push(start.elapsed());
            assert_eq!(r[0]["ok"], RECORDS, "{}", r[0]);
        }
    }
    let d = median(direct);
    println!(
        "SOAP response of {:.1} MiB, {RECORDS} records: fetch, parse, read one field per record",
        size as f64 / (1 << 20) as f64
    );
    println!("  reqwest + quick-xml directly    {:>7.1} ms", ms(d));
    for (read, _, samples) in probes {
        let took = ms(median(samples));
        let ratio = took / ms(d);
        println!(
            "  plugin: {:<25} {took:>7.1} ms   ratio {ratio:.2}×",
            read.label()
        );
    }
    println!("  (goal for the plugin's best read ≤ 1.5×)");
}

fn main() {
    // The direct reqwest client needs a process-wide provider; the runtime brings its own.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = Runtime::new(RuntimeOptions::default()).expect("runtime");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio");
    rt.block_on(async {
        let server = WebServer::start("unused").await;
        http_bench(&runtime, &server).await;
        xml_bench(&runtime, &server).await;
        ldap_bench(&runtime).await;
    });
}
