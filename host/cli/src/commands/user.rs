//! `tessera user`: the web console's users. Passwords travel in on standard input only and
//! are kept as argon2id hashes; every change is audited with `cli` as its actor.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Result, anyhow};
use chrono::Utc;
use tessera_console::{Role, add_user, remove_user, set_user};
use tessera_store::ConsoleUsers;

use super::loaders::{settings, store};
use super::secret::read_value;
use super::table::Table;
use crate::args::UserCommand;

pub fn run(config: &Path, command: UserCommand) -> Result<()> {
    let store = store(&settings(config)?)?;
    match command {
        UserCommand::Add { name, role } => {
            let password = password(&name)?;
            add_user(&store, (&name, parse(&role)?, &password), "cli", Utc::now())?;
            eprintln!("user `{name}` added as {role}");
        }
        UserCommand::Set { name, role } => {
            let password = password(&name)?;
            set_user(&store, (&name, parse(&role)?, &password), "cli", Utc::now())?;
            eprintln!("user `{name}` is now {role}, with the new password; their sessions ended");
        }
        UserCommand::List { json } => {
            let users = store.users()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
                return Ok(());
            }
            let mut table = Table::new(&["NAME", "ROLE", "ADDED"]);
            for u in users {
                table.row(vec![u.name, u.role, u.created_at.to_rfc3339()]);
            }
            print!("{}", table.render());
        }
        UserCommand::Remove { name } => {
            remove_user(&store, &name, "cli", Utc::now())?;
            eprintln!("user `{name}` removed; their sessions ended");
        }
    }
    Ok(())
}

fn parse(role: &str) -> Result<Role> {
    Role::parse(role)
        .ok_or_else(|| anyhow!("no role `{role}`: use admin, operator, reviewer or auditor"))
}

/// The password from standard input, to its end less one line ending.
fn password(name: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("password for `{name}` (12 characters or more), then Enter and Ctrl-D:");
    }
    let value = read_value(stdin.lock())?;
    Ok(String::from_utf8_lossy(&value).into_owned())
}
