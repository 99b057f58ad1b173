//! Who may do what. An auditor reads everything and changes nothing; a reviewer decides
//! deviations; an operator approves held actions and gives manual grants; an admin may do all
//! of that and manages the console's users.

use crate::error::{Error, Result};

/// A console user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Manages users; may do everything.
    Admin,
    /// Approves held actions and gives, approves and withdraws manual grants.
    Operator,
    /// Decides deviations.
    Reviewer,
    /// Reads everything, changes nothing.
    Auditor,
}

/// What a user can ask the console to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Revoke, adopt or exclude a deviation.
    ReviewDeviation,
    /// Approve or reject a held action.
    DecideApproval,
    /// Give, approve or withdraw a manual grant.
    ManageGrants,
    /// Add or remove console users.
    ManageUsers,
}

impl Action {
    fn what(self) -> &'static str {
        match self {
            Self::ReviewDeviation => "decide deviations",
            Self::DecideApproval => "approve or reject held actions",
            Self::ManageGrants => "give, approve or withdraw manual grants",
            Self::ManageUsers => "manage console users",
        }
    }
}

impl Role {
    /// Every role, as offered when a user is added.
    pub const ALL: [Role; 4] = [Self::Admin, Self::Operator, Self::Reviewer, Self::Auditor];

    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Operator => "operator",
            Self::Reviewer => "reviewer",
            Self::Auditor => "auditor",
        }
    }

    /// Reads a role's name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Whether this role may do `action`.
    pub fn may(self, action: Action) -> bool {
        matches!(
            (self, action),
            (Self::Admin, _)
                | (
                    Self::Operator,
                    Action::DecideApproval | Action::ManageGrants
                )
                | (Self::Reviewer, Action::ReviewDeviation)
        )
    }

    /// `Ok` when this role may do `action`, else the refusal.
    pub fn require(self, action: Action) -> Result<()> {
        match self.may(action) {
            true => Ok(()),
            false => Err(Error::Forbidden {
                role: self.as_str(),
                action: action.what(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_auditor_may_change_nothing_and_each_role_only_its_own() {
        let actions = [
            Action::ReviewDeviation,
            Action::DecideApproval,
            Action::ManageGrants,
            Action::ManageUsers,
        ];
        assert!(actions.iter().all(|a| !Role::Auditor.may(*a)));
        assert!(actions.iter().all(|a| Role::Admin.may(*a)));
        assert!(Role::Reviewer.may(Action::ReviewDeviation));
        assert!(!Role::Reviewer.may(Action::DecideApproval));
        assert!(Role::Operator.may(Action::DecideApproval));
        assert!(!Role::Operator.may(Action::ReviewDeviation));
        assert!(!Role::Operator.may(Action::ManageUsers));
        assert_eq!(Role::parse("reviewer"), Some(Role::Reviewer));
        assert_eq!(Role::parse("root"), None);
    }
}
