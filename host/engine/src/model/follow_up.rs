//! Follow-ups: a ticket a rule's grant asks for in a system that offers tickets, such as the
//! HiX training a TOPdesk incident arranges before a login group is given.
//!
//! ```toml
//! grants = [{ system = "hix", kind = "login-group", key = "IC",
//!             follow_up = { system = "topdesk", template = "HiX training for {given} {family}: {entitlement}",
//!                           hold_until_resolved = true } }]
//! ```
//!
//! The person's placeholders are filled when the desired state is computed; `{entitlement}`
//! when the ticket is opened, with the entitlement's name in the target's catalogue, which
//! the desired state does not know.

use serde::{Deserialize, Serialize};
use tessera_domain::EntitlementRef;

use super::template::{Template, TemplateContext};

/// The placeholder for the entitlement, filled last.
const ENTITLEMENT: &str = "{entitlement}";

/// A follow-up as the role model declares it on one grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    /// The system the grant is in.
    pub grant_system: String,
    /// The entitlement granted.
    pub entitlement: EntitlementRef,
    /// The system the ticket is opened in.
    pub system: String,
    /// The subject, in pieces between `{entitlement}`s.
    pieces: Vec<Template>,
    /// The grant waits until the ticket is closed.
    pub hold: bool,
}

impl FollowUp {
    /// Parses the template; the error says what is wrong with it.
    pub fn new(
        (grant_system, entitlement): (String, EntitlementRef),
        system: String,
        template: &str,
        hold: bool,
    ) -> Result<Self, String> {
        if template.trim().is_empty() {
            return Err("a follow-up needs a template".into());
        }
        let pieces = template
            .split(ENTITLEMENT)
            .map(Template::parse)
            .collect::<Result<_, _>>()?;
        Ok(Self {
            grant_system,
            entitlement,
            system,
            pieces,
            hold,
        })
    }

    /// Whether it is about this grant.
    pub fn concerns(&self, system: &str, entitlement: &EntitlementRef) -> bool {
        self.grant_system == system && &self.entitlement == entitlement
    }

    /// The follow-up for one person: the person's placeholders filled.
    pub fn for_person(&self, ctx: &TemplateContext<'_>) -> FollowUpSoll {
        FollowUpSoll {
            system: self.system.clone(),
            text: self.pieces.iter().map(|t| t.render(ctx, None)).collect(),
            hold: self.hold,
        }
    }
}

/// A follow-up in a person's desired state and in a plan's grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpSoll {
    /// The system the ticket is opened in.
    pub system: String,
    /// The subject in pieces, to be joined by the entitlement's name.
    pub text: Vec<String>,
    /// The grant waits until the ticket is closed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hold: bool,
}

impl FollowUpSoll {
    /// The subject, with the entitlement's name (or key, when the catalogue has no name).
    pub fn subject(&self, entitlement: &str) -> String {
        self.text.join(entitlement)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use tessera_domain::{Person, PersonName};

    use super::*;

    #[test]
    fn the_person_is_filled_in_first_and_the_entitlement_last() {
        let grant = (
            "hix".to_owned(),
            EntitlementRef {
                kind: "login-group".into(),
                key: "IC".into(),
            },
        );
        let template = "{entitlement}: training for {given} {family} ({entitlement})";
        let f = FollowUp::new(grant, "topdesk".into(), template, true).unwrap();
        let person = Person {
            id: "P1".into(),
            name: PersonName {
                given: "Anna".into(),
                family: "Vries".into(),
                ..PersonName::default()
            },
            email: None,
            phone: None,
            contracts: Vec::new(),
            attributes: Vec::new(),
        };
        let soll = f.for_person(&TemplateContext {
            person: &person,
            primary: None,
        });
        assert_eq!(
            soll.subject("IC nurses"),
            "IC nurses: training for Anna Vries (IC nurses)"
        );
        assert!(soll.hold);
        let bad = FollowUp::new(f_grant(), "topdesk".into(), "for {nobody}", false);
        assert!(bad.unwrap_err().contains("nobody"));
        assert!(FollowUp::new(f_grant(), "topdesk".into(), " ", false).is_err());
    }

    fn f_grant() -> (String, EntitlementRef) {
        let e = EntitlementRef {
            kind: "group".into(),
            key: "g".into(),
        };
        ("ad".into(), e)
    }
}
