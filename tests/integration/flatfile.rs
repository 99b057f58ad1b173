//! The flatfile plugin on CSV files in a granted directory, read by the engine: joiner, mover
//! and leaver ("in dienst, doorstroom, uit dienst"), encodings and odd rows, and the read-only
//! file capability's limits: no grant, names and links leading out, files over the limit.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use tessera_domain::{ConnectorError, SourceConnector};
use tessera_engine::import::ImportReport;
use tessera_runtime::{MemoryServices, WasmSource};
use tessera_store::SqliteStore;
use tessera_store::prelude::*;
use tessera_testkit::{TestInstall, forced_import, plugin, runtime};

const PERSONS: &str = "\u{feff}Personeelsnummer;Roepnaam;Achternaam;Voorvoegsel;Partnernaam;Naamgebruik;Email\n\
    1001;Anna;Berg;;;0;anna.berg@zkh.example\n\
    1002;Bram;Dijk;van;Wit;1;\n";

const CONTRACTS: &str = "Personeelsnummer;Volgnummer;Begindatum;Einddatum;Afdeling;Afdelingsnaam;Functie\n\
    1001;1;01-02-2024;;IC;Intensive Care;VPK\n\
    1002;1;01-02-2024;;SEH;Spoedeisende hulp;VPK\n";

/// The operator's column map for these files.
const CONFIG: &str = r#"date_format = "%d-%m-%Y"
person_columns = ["id=Personeelsnummer", "given=Roepnaam", "family=Achternaam", "prefix=Voorvoegsel", "partner_family=Partnernaam", "convention=Naamgebruik", "email=Email"]
contract_columns = ["person=Personeelsnummer", "sequence=Volgnummer", "start=Begindatum", "end=Einddatum", "department=Afdeling", "department_name=Afdelingsnaam", "title=Functie"]
conventions = ["0=B", "1=PB", "2=P", "3=BP"]"#;

/// An installation with system `hr` reading `dir`; `grants` and `extra` go in its tables.
struct Setup {
    install: TestInstall,
    services: Arc<MemoryServices>,
}

fn setup(config: &str, grants: &str, extra: &str) -> Setup {
    let text = format!(
        "[systems.hr]\nplugin = \"flatfile\"\n{extra}\n[systems.hr.config]\n{config}\n[systems.hr.grants]\n{grants}\n"
    );
    Setup {
        install: TestInstall::new(&text),
        services: Arc::new(MemoryServices::default()),
    }
}

fn granted(dir: &Path) -> String {
    format!("files = \"{}\"", dir.display())
}

impl Setup {
    /// A fresh plugin instance, as one run gets, or why the runtime refused it.
    async fn try_source(&self) -> Result<WasmSource, String> {
        let mut plugins = self.install.open();
        plugins
            .store
            .install(&plugin("flatfile"), None)
            .expect("install");
        plugins.set_services(self.services.clone());
        let (system, _) = plugins
            .prepare(&runtime(), "hr")
            .map_err(|e| e.to_string())?;
        system.source().await.map_err(|e| e.to_string())
    }

    async fn source(&self) -> WasmSource {
        self.try_source().await.expect("instance")
    }

    async fn import(&self, store: &SqliteStore, today: NaiveDate) -> ImportReport {
        forced_import(store, &mut self.source().await, "hr", today).await
    }

    /// The outcomes the audit recorded for file calls.
    fn audited(&self) -> Vec<String> {
        self.services
            .events()
            .into_iter()
            .filter(|e| e.action.starts_with("file-") || e.action == "denied")
            .map(|e| format!("{} {}: {}", e.action, e.what, e.outcome))
            .collect()
    }
}

fn export(dir: &Path, persons: &str, contracts: &str) {
    std::fs::write(dir.join("persons.csv"), persons).unwrap();
    std::fs::write(dir.join("contracts.csv"), contracts).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joiner_mover_leaver_through_the_engine() {
    let files = tempfile::tempdir().unwrap();
    export(files.path(), PERSONS, CONTRACTS);
    let setup = setup(CONFIG, &granted(files.path()), "");
    let store = SqliteStore::open_in_memory().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();

    let first = setup.import(&store, today).await;
    assert_eq!(
        (first.counts.added, first.counts.total),
        (2, 2),
        "{:?}",
        first.warnings
    );
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    let bram = store.person("1002").unwrap().unwrap();
    assert_eq!((bram.name.family.as_str(), bram.name.prefix), ("Wit", None));
    assert_eq!(bram.name.convention.as_deref(), Some("PB"));

    // In dienst (Cas), doorstroom (Anna to SEH), uit dienst (Bram's end date), and a row the
    // export got wrong.
    let persons = format!("{PERSONS}1003;Cas;Bakker;;;0;\n");
    let contracts = "Personeelsnummer;Volgnummer;Begindatum;Einddatum;Afdeling;Afdelingsnaam;Functie\n\
        1001;1;01-02-2024;;SEH;Spoedeisende hulp;VPK\n\
        1002;1;01-02-2024;31-03-2026;SEH;Spoedeisende hulp;VPK\n\
        1003;1;01-04-2026;;IC;Intensive Care;VPK\n\
        1003;2;1 april;;IC;Intensive Care;VPK\n";
    export(files.path(), &persons, contracts);
    let second = setup.import(&store, today).await;
    let counts = (
        second.counts.added,
        second.counts.changed,
        second.counts.removed,
    );
    assert_eq!(counts, (1, 2, 0), "{:?}", second.warnings);
    let anna = store.person("1001").unwrap().unwrap();
    assert_eq!(anna.contracts[0].department.as_ref().unwrap().code, "SEH");
    let bram = store.person("1002").unwrap().unwrap();
    assert!(bram.contracts[0].end.is_some(), "Bram's employment ends");
    let warning = &second.warnings[0];
    assert_eq!(
        warning.subject.as_deref(),
        Some("contracts.csv line 5"),
        "{warning:?}"
    );
    assert!(
        warning.message.contains("`1 april` is not a date"),
        "{warning:?}"
    );

    // Gone from the export: removed.
    let persons = PERSONS.replace("1002;Bram;Dijk;van;Wit;1;\n", "");
    export(files.path(), &persons, CONTRACTS);
    let third = setup.import(&store, today).await;
    assert_eq!(
        (third.counts.removed, third.counts.total),
        (2, 1),
        "{:?}",
        third.warnings
    );

    let audited = setup.audited();
    assert!(
        audited
            .iter()
            .any(|a| a.starts_with("file-read file `persons.csv`: ok: ")),
        "{audited:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_1252_with_pipes_and_a_wrong_encoding_named_by_line() {
    let files = tempfile::tempdir().unwrap();
    let persons = b"id|family|given\n1|M\xFCller|Jo\xEBl\n";
    std::fs::write(files.path().join("persons.csv"), persons).unwrap();
    std::fs::write(
        files.path().join("contracts.csv"),
        "person|sequence|start\n1|1|2026-01-01\n",
    )
    .unwrap();
    let config = "delimiter = \"|\"\nencoding = \"windows-1252\"";
    let setup = self::setup(config, &granted(files.path()), "");
    let mut source = setup.source().await;
    let page = source.read(None).await.unwrap();
    assert_eq!(page.persons[0].name.family, "Müller");
    assert_eq!(page.persons[0].name.given, "Joël");
    assert_eq!(
        page.persons[0].contracts[0].id, "1_1",
        "no id column: person_sequence"
    );

    let utf8 = self::setup("delimiter = \"|\"", &granted(files.path()), "");
    let err = utf8.source().await.read(None).await.unwrap_err();
    let ConnectorError::Invalid { field, message } = err else {
        panic!("a wrong encoding is a configuration problem: {err:?}");
    };
    assert_eq!(field, "encoding");
    assert!(
        message.contains("persons.csv line 2 is not UTF-8"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_grant_the_plugin_cannot_read_anything() {
    let files = tempfile::tempdir().unwrap();
    export(files.path(), PERSONS, CONTRACTS);
    let setup = setup(CONFIG, "", "");
    let err = setup.try_source().await.err().expect("refused");
    assert!(err.contains("tessera:host/files"), "{err}");
    assert!(err.contains("systems.hr.grants.files"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_links_leading_out_of_the_granted_directory_are_denied() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("salaries.csv"), "id;family\n1;Secret\n").unwrap();
    let files = tempfile::tempdir().unwrap();
    export(files.path(), PERSONS, CONTRACTS);
    std::os::unix::fs::symlink(
        outside.path().join("salaries.csv"),
        files.path().join("link.csv"),
    )
    .unwrap();
    let grant = granted(files.path());
    let escape = outside.path().join("salaries.csv");
    for (name, why) in [
        ("../salaries.csv".to_owned(), "climbs out"),
        (escape.display().to_string(), "an absolute path"),
        ("link.csv".to_owned(), "a link leading outside"),
    ] {
        let setup = setup(&format!("{CONFIG}\npersons_file = \"{name}\""), &grant, "");
        let err = setup.source().await.read(None).await.unwrap_err();
        let ConnectorError::Denied(denied) = &err else {
            panic!("{name}: {err:?}");
        };
        assert!(denied.contains(why), "{name}: {denied}");
        assert!(
            denied.contains("systems.hr.grants.files"),
            "{name}: {denied}"
        );
        let audited = setup.audited();
        assert!(
            audited
                .iter()
                .any(|a| a.starts_with("denied") && a.contains(why)),
            "{audited:?}"
        );
        assert!(!audited.iter().any(|a| a.contains("ok:")), "{audited:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_oversized_file_fails_the_read_whole() {
    let files = tempfile::tempdir().unwrap();
    std::fs::write(files.path().join("persons.csv"), PERSONS).unwrap();
    let setup = setup(CONFIG, &granted(files.path()), "");
    let mut source = setup.source().await;
    let err = source.read(None).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::NotFound(m) if m.contains("contracts.csv")),
        "{err:?}"
    );
    let err = source.test_connection().await.unwrap_err();
    assert!(err.to_string().contains("no file `contracts.csv`"), "{err}");

    let big = format!(
        "{CONTRACTS}{}",
        "1001;9;01-02-2024;;IC;Intensive Care;VPK\n".repeat(30_000)
    );
    std::fs::write(files.path().join("contracts.csv"), big).unwrap();
    let limited = self::setup(
        CONFIG,
        &granted(files.path()),
        "[systems.hr.limits]\nfile_mib = 1",
    );
    let err = limited.source().await.read(None).await.unwrap_err();
    let ConnectorError::Other(why) = &err else {
        panic!("{err:?}");
    };
    assert!(why.contains("systems.hr.limits.file_mib"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_keeps_the_source_contract() {
    let files = tempfile::tempdir().unwrap();
    export(files.path(), PERSONS, CONTRACTS);
    let setup = setup(CONFIG, &granted(files.path()), "");
    let mut source = setup.source().await;
    assert_eq!(
        source.test_connection().await.unwrap(),
        format!(
            "found persons.csv ({} bytes) and contracts.csv ({} bytes)",
            PERSONS.len(),
            CONTRACTS.len()
        )
    );
    let persons = tessera_testkit::contract::source(&mut source).await;
    assert_eq!(persons.len(), 2);
}
