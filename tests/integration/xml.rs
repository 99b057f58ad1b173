use serde_json::{Value, json};
use tessera_test_servers::web::{WebServer, soap_users};
use tessera_testkit::runtime;

use crate::probe::{ProbeConfig, err, ok, run, services};

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";

fn config() -> ProbeConfig {
    ProbeConfig::new(
        "https://api.example.org",
        "http = [\"https://api.example.org\"]",
    )
}

/// The probe granted the local web server's origin, plain HTTP on loopback included.
fn served(server: &WebServer) -> ProbeConfig {
    let origin = server.origin();
    let grants = format!(
        "http = [\"{origin}\"]\nhttp_insecure = [\"{origin}\"]\nhttp_private = [\"{origin}\"]"
    );
    ProbeConfig::new(&origin, &grants)
}

fn parse(text: &str) -> Value {
    json!({"op": "xml-parse", "text": text, "ns": [["s", SOAP11]], "select": "/s:Envelope/s:Body//gebruiker", "fields": ["ldap", "naam", "@code"]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soap_responses_are_queried_by_namespace_aware_paths() {
    let r = run(&runtime(), &config(), services(), &[parse(&soap_users(3))]).await;
    let rows = ok(&r[0]).as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2]["ldap"], "user2");
    assert_eq!(rows[2]["naam"], "Jansen & Zn 2", "entities decoded");
    assert_eq!(rows[2]["@code"], "U00002");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_and_broken_documents_fail_cleanly() {
    let laughs = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">{}]><lolz>&lol9;</lolz>",
        (1..10)
            .map(|i| format!(
                "<!ENTITY lol{i} \"{}\">",
                format!("&lol{};", i - 1).repeat(10)
            ))
            .collect::<String>()
    );
    let external =
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
    let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
    let truncated = "<s:Envelope xmlns:s=\"urn:x\">\n  <s:Body>\n    <a>text";
    let mismatched = "<a>\n<b></c>\n</a>";
    let r = run(
        &runtime(),
        &config(),
        services(),
        &[
            parse(&laughs),
            parse(external),
            parse(&deep),
            parse(truncated),
            parse(mismatched),
            parse("<a>&nbsp;</a>"),
        ],
    )
    .await;
    for (i, reason) in [(0, "DOCTYPE"), (1, "DOCTYPE")] {
        let (kind, d) = err(&r[i]);
        assert_eq!(kind, "malformed");
        assert!(d["message"].as_str().unwrap().contains(reason), "{d}");
    }
    assert_eq!(err(&r[2]).0, "too-large");
    let (kind, d) = err(&r[3]);
    assert_eq!(kind, "malformed");
    assert_eq!(d["line"], 3, "{d}");
    let (kind, d) = err(&r[4]);
    assert_eq!((kind, d["line"].as_u64()), ("malformed", Some(2)), "{d}");
    let (kind, d) = err(&r[5]);
    assert_eq!(kind, "malformed");
    assert!(d["message"].as_str().unwrap().contains("nbsp"), "{d}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn envelopes_are_built_and_read_back() {
    let body = json!([
        [
            "start",
            ["urn:hix", "nieuwegebruiker"],
            [[["", "versie"], "1"]]
        ],
        ["start", ["urn:hix", "naam"], []],
        ["text", "Ösgür <van der> Berg & Ängström"],
        ["end"],
        ["end"]
    ]);
    let r = run(
        &runtime(),
        &config(),
        services(),
        &[
            json!({"op": "xml-build", "soap": "1.1", "header": [], "body": body}),
            json!({"op": "xml-build", "soap": "1.2", "header": [], "body": body}),
            json!({"op": "xml-build", "events": [["start", ["", "a"], []]]}),
        ],
    )
    .await;
    let soap11 = ok(&r[0]).as_str().unwrap().to_owned();
    assert!(soap11.contains(SOAP11), "{soap11}");
    assert!(
        ok(&r[1])
            .as_str()
            .unwrap()
            .contains("http://www.w3.org/2003/05/soap-envelope")
    );
    assert_eq!(err(&r[2]).0, "invalid", "unbalanced events");
    let read = json!({"op": "xml-parse", "text": soap11, "ns": [["s", SOAP11], ["h", "urn:hix"]], "select": "/s:Envelope/s:Body/h:nieuwegebruiker", "fields": ["h:naam", "@versie"]});
    let r = run(&runtime(), &config(), services(), &[read]).await;
    let row = &ok(&r[0])[0];
    assert_eq!(row["h:naam"], "Ösgür <van der> Berg & Ängström");
    assert_eq!(row["@versie"], "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_soap_response_is_fetched_and_parsed_by_the_host() {
    let server = WebServer::start("unused").await;
    let config = served(&server);
    let fetch = json!({"op": "xml-fetch", "url": server.url("/soap?records=20000"), "ns": [["s", SOAP11]], "select": "/s:Envelope/s:Body//gebruiker", "fields": ["ldap"], "count_only": true});
    let r = run(&runtime(), &config, services(), &[fetch]).await;
    assert_eq!(ok(&r[0]), &json!(20000));
}

/// `select-texts` (WIT 0.2): every record's fields in one host call, the same texts as an
/// element-by-element read, `null` where a field is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_of_fields_is_read_in_one_call() {
    let text = soap_users(3);
    let fields = json!(["ldap", "naam", "groepen/groep", "ontbreekt"]);
    let table = json!({"op": "xml-parse", "table": true, "text": text, "ns": [["s", SOAP11]], "select": "/s:Envelope/s:Body//gebruiker", "fields": fields});
    let bad = json!({"op": "xml-parse", "table": true, "text": text, "ns": [], "select": "//gebruiker", "fields": ["x:naam"]});
    let r = run(&runtime(), &config(), services(), &[table, bad]).await;
    assert_eq!(
        ok(&r[0]),
        &json!([
            ["user0", "Jansen & Zn 0", "G0", null],
            ["user1", "Jansen & Zn 1", "G1", null],
            ["user2", "Jansen & Zn 2", "G2", null],
        ])
    );
    assert_eq!(err(&r[1]).0, "invalid", "an unbound prefix in a field path");
}

/// What the host holds for a plugin counts against `limits.host_memory_mib`: a plugin that
/// keeps parsing big documents (or keeps handles to every element) is refused with a typed
/// error once it holds its budget, and it, the host and its next small parse carry on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_documents_and_handles_count_against_the_host_memory_budget() {
    let config = config().extra("[systems.probe.limits]\nhost_memory_mib = 48");
    let r = run(
        &runtime(),
        &config,
        services(),
        &[
            json!({"op": "xml-hoard", "elements": 1_000_000, "times": 10}),
            json!({"op": "xml-hoard", "elements": 60_000, "times": 10, "handles": true}),
        ],
    )
    .await;
    let documents = &r[0];
    assert_eq!(documents["kept"], 1, "{documents}");
    let stopped = json!({"err": documents["stopped"]});
    let (kind, message) = err(&stopped);
    assert_eq!(kind, "too-large", "{documents}");
    assert!(
        message.to_string().contains("limits.host_memory_mib"),
        "{message}"
    );
    assert_eq!(documents["after"], true, "a small parse still fits");
    let handles = &r[1];
    // 60,000 handles fit; 60,000 more would pass the live-handle limit (wasmtime itself
    // would trap the plugin at 100,000), so the second select is refused with a typed error.
    assert_eq!(handles["kept"], 1, "{handles}");
    assert_eq!(handles["handles"], 60_000, "{handles}");
    assert!(
        handles["stopped"].to_string().contains("element handles"),
        "{handles}"
    );
    assert_eq!(handles["after"], true);
}

/// `scan-texts` (WIT 0.2.3): the table `select-texts` gives, read in one pass over the body
/// without a document, fetched or given; field paths from the document are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_is_scanned_into_a_table_without_a_document() {
    let server = WebServer::start("unused").await;
    let config = served(&server);
    let select = "/s:Envelope/s:Body//gebruiker";
    let fields = json!(["ldap", "naam", "groepen/groep", "ontbreekt"]);
    let text = soap_users(3);
    let commands = [
        json!({"op": "xml-scan", "url": server.url("/soap?records=20000"), "ns": [["s", SOAP11]], "select": select, "fields": ["ldap"], "count_only": true}),
        json!({"op": "xml-scan", "text": text, "ns": [["s", SOAP11]], "select": select, "fields": fields}),
        json!({"op": "xml-parse", "table": true, "text": text, "ns": [["s", SOAP11]], "select": select, "fields": fields}),
        json!({"op": "xml-scan", "text": text, "ns": [], "select": "//gebruiker", "fields": ["/Envelope"]}),
        json!({"op": "xml-scan", "text": "<a>\n<b>", "ns": [], "select": "//b", "fields": []}),
    ];
    let r = run(&runtime(), &config, services(), &commands).await;
    assert_eq!(ok(&r[0]), &json!(20000));
    assert_eq!(ok(&r[1]), ok(&r[2]), "a scan reads what a document reads");
    assert_eq!(ok(&r[1])[2], json!(["user2", "Jansen & Zn 2", "G2", null]));
    let (kind, message) = err(&r[3]);
    assert_eq!(kind, "invalid");
    assert!(
        message.to_string().contains("relative to the row"),
        "{message}"
    );
    let (kind, at) = err(&r[4]);
    assert_eq!((kind, at["line"].as_u64()), ("malformed", Some(2)), "{at}");
}

/// Nested rows each read all the text below them: 200 levels around 256 KiB would make a
/// 50 MiB table from a quarter-megabyte answer. The host memory budget refuses it as it grows,
/// and the plugin carries on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scanned_table_may_not_outgrow_the_host_memory_budget() {
    let config = config().extra("[systems.probe.limits]\nhost_memory_mib = 48");
    let nested = format!(
        "{}{}{}",
        "<a>".repeat(200),
        "x".repeat(256 << 10),
        "</a>".repeat(200)
    );
    let scan = |select: &str| json!({"op": "xml-scan", "text": nested, "ns": [], "select": select, "fields": ["."], "count_only": true});
    let r = run(&runtime(), &config, services(), &[scan("//a"), scan("/a")]).await;
    let (kind, message) = err(&r[0]);
    assert_eq!(kind, "too-large");
    assert!(message.to_string().contains("table"), "{message}");
    assert_eq!(ok(&r[1]), &json!(1), "one row of the same text fits");
}
