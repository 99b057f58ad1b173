//! What several command groups' tests start from.

use chrono::Utc;
use tessera_test_servers::elanza::{
    API_KEY_HEADER, Dataset, ElanzaMock, ElanzaOptions, Faults, Generate,
};

/// The Elanza mock's API key, kept in the vault as `elanza-api-key`.
pub const ELANZA_KEY: &str = "elanza-Key-7319";

/// An Elanza mock with four workers and ten shifts each around today.
pub async fn small_elanza() -> ElanzaMock {
    let data = Dataset::generate(&Generate {
        seed: 7,
        workers: 4,
        shifts_per_worker: 10,
        anchor: Utc::now().date_naive(),
        days_before: 30,
        days_after: 7,
    });
    ElanzaMock::start(ElanzaOptions {
        api_key: ELANZA_KEY.into(),
        data,
        faults: Faults::default(),
    })
    .await
}

/// `[systems.elanza]` reading `mock` with the key from the vault's `elanza-api-key`.
pub fn elanza_system(mock: &ElanzaMock) -> String {
    let url = mock.url();
    format!(
        "[systems.elanza]\nplugin = \"elanza\"\n[systems.elanza.config]\nbase_url = \"{url}\"\n\
         historical_days = 30\nfuture_days = 7\nshift_details_start = 7\n\
         [systems.elanza.grants]\nstate = true\nhttp = [\"{url}\"]\nhttp_insecure = [\"{url}\"]\nhttp_private = [\"{url}\"]\n\
         [[systems.elanza.http_auth]]\norigin = \"{url}\"\n\
         header = {{ name = \"{API_KEY_HEADER}\", secret = \"elanza-api-key\" }}\n"
    )
}
