//! Plain-text rendering of a plan for terminals.

use super::{AccountRef, Operation, Plan};

impl Operation {
    /// One short line: `grant acc-1 group/ic`.
    pub fn summary(&self) -> String {
        let account = |a: &AccountRef| match a {
            AccountRef::Key(k) => k.clone(),
            AccountRef::New(u) => format!("(new {u})"),
        };
        match self {
            Self::Link { account } => format!("link {account}"),
            Self::Create {
                username, enabled, ..
            } => {
                let state = if *enabled { "enabled" } else { "disabled" };
                format!("create {username} ({state})")
            }
            Self::Update { account, changes } => {
                let names: Vec<&str> = changes.iter().map(|c| c.name.as_str()).collect();
                format!("update {account} ({})", names.join(", "))
            }
            Self::Enable { account } => format!("enable {account}"),
            Self::Grant {
                account: a,
                entitlement: e,
            } => {
                format!("grant {} {}/{}", account(a), e.kind, e.key)
            }
            Self::Adopt {
                account,
                entitlement: e,
            } => format!("adopt {account} {}/{}", e.kind, e.key),
            Self::Revoke {
                account,
                entitlement: e,
            } => format!("revoke {account} {}/{}", e.kind, e.key),
            Self::Disable { account } => format!("disable {account}"),
            Self::Delete { account } => format!("delete {account}"),
        }
    }
}

impl Plan {
    /// The plan as text: operations, blocked actions, deviations.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "plan for {} on {}: {} operations, {} blocked, {} deferred, {} waiting, {} deviations\n",
            self.system,
            self.today,
            self.operations.len(),
            self.blocked.len(),
            self.deferred.len(),
            self.waiting.len(),
            self.deviations.len()
        );
        for p in &self.operations {
            let person = p.person.as_deref().unwrap_or("-");
            out.push_str(&format!("  {:<40} {person:<12} {}\n", p.summary(), p.why));
        }
        for b in &self.blocked {
            let id = b.blocked_id.map_or("-".to_owned(), |i| format!("#{i}"));
            out.push_str(&format!(
                "  BLOCKED {id} {}: {}\n",
                b.planned.summary(),
                b.reason
            ));
        }
        for w in &self.waiting {
            let ticket = match &w.ticket {
                Some(t) => t.to_string(),
                None => "a follow-up ticket not yet opened".to_owned(),
            };
            out.push_str(&format!("  WAITING {} for {ticket}\n", w.summary()));
        }
        for d in &self.deviations {
            let owner = d.person.as_deref().unwrap_or("no owner");
            out.push_str(&format!(
                "  DEVIATION {} {} owned by {owner}: {:?}\n",
                d.account,
                d.shown(),
                d.policy
            ));
        }
        out
    }
}
