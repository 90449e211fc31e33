//! Opening the store from the command line (decision 0009): the store is
//! encrypted and opens with the password of the `--as` user, from
//! `CLAIMDESK_PASSWORD` or asked on the terminal; a new store asks for the
//! first admin's password twice and prints its recovery key once; a plain
//! store of an older ClaimDesk is encrypted at its first open.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::bail;
use claimdesk_core::message::Message;
use claimdesk_core::{msg, Actor};
use claimdesk_store::keys::{inspect, KeyFile, StoreFile};
use claimdesk_store::{Store, FIRST_ADMIN};

/// The variable a script gives the acting user's password in.
pub const PASSWORD_VAR: &str = "CLAIMDESK_PASSWORD";
/// The variable a script gives a new password in (`users add`, `users password`).
pub const NEW_PASSWORD_VAR: &str = "CLAIMDESK_NEW_PASSWORD";

fn say(m: Message) -> String {
    m.render(crate::lang())
}

fn from_env(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|p| !p.is_empty())
}

/// The password of `user`: `CLAIMDESK_PASSWORD`, else asked on the terminal.
pub fn password(user: &str) -> anyhow::Result<String> {
    if let Some(p) = from_env(PASSWORD_VAR) {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!(say(msg!("cli.no_password", user = user)));
    }
    Ok(rpassword::prompt_password(say(msg!("cli.password_prompt", user = user)))?)
}

/// A new password of `user`: from `var`, else asked twice on the terminal.
pub fn new_password(user: &str, var: &str) -> anyhow::Result<String> {
    if let Some(p) = from_env(var) {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!(say(msg!("cli.no_new_password", user = user, var = var)));
    }
    let min = claimdesk_store::auth::MIN_PASSWORD_CHARS;
    let first = rpassword::prompt_password(say(msg!("cli.new_password_prompt", user = user, min = min)))?;
    let again = rpassword::prompt_password(say(msg!("cli.password_again")))?;
    if first != again {
        bail!(say(msg!("cli.password_mismatch")));
    }
    Ok(first)
}

/// A new password of `user` when one is given (the variable or a terminal), else None.
pub fn optional_new_password(user: &str) -> anyhow::Result<Option<String>> {
    if from_env(NEW_PASSWORD_VAR).is_none() && !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    new_password(user, NEW_PASSWORD_VAR).map(Some)
}

/// Prints the recovery key an admin has not seen yet, once, and forgets it.
fn show_pending_recovery(store: &mut Store, actor: &Actor) -> anyhow::Result<()> {
    if let Some(key) = store.pending_recovery_key(actor)? {
        eprintln!("{}", say(msg!("cli.recovery_key", key = key.as_str())));
        store.confirm_recovery_key(actor)?;
    }
    Ok(())
}

/// Creates the encrypted store at `db` with the first admin's password.
pub fn create(db: &Path, user: &str) -> anyhow::Result<(Store, Actor)> {
    if user.trim() != FIRST_ADMIN {
        bail!(say(msg!("cli.create_as_admin", admin = FIRST_ADMIN)));
    }
    let password = new_password(FIRST_ADMIN, PASSWORD_VAR)?;
    claimdesk_store::auth::check_length(&password)?;
    let (mut store, _) = Store::create_encrypted(db)?;
    let actor = store.set_first_admin_password(&password)?;
    show_pending_recovery(&mut store, &actor)?;
    Ok((store, actor))
}

/// Opens the existing store at `db` as `user`, with their password.
pub fn open(db: &Path, user: &str) -> anyhow::Result<(Store, Actor)> {
    match inspect(db)? {
        StoreFile::Missing => {
            Err(claimdesk_store::StoreError::NotFound(format!("the store {}", db.display())).into())
        }
        StoreFile::Encrypted => {
            let password = password(user)?;
            let mut opened = Store::unlock(db, user, &password)?;
            show_pending_recovery(&mut opened.store, &opened.actor)?;
            Ok((opened.store, opened.actor))
        }
        StoreFile::Plain => {
            // A store of ClaimDesk 0.1, made by the command line without any password:
            // its first admin sets one now, and it is encrypted with it.
            let no_passwords = !Store::open(db)?.has_passwords()?;
            let password = if no_passwords && user.trim() == FIRST_ADMIN {
                let p = new_password(FIRST_ADMIN, PASSWORD_VAR)?;
                Store::open(db)?.set_first_admin_password(&p)?;
                p
            } else {
                password(user)?
            };
            let mut opened = Store::unlock(db, user, &password)?;
            eprintln!(
                "{}",
                say(msg!("cli.store_encrypted", path = db.display(), keys = KeyFile::path_for(db).display()))
            );
            show_pending_recovery(&mut opened.store, &opened.actor)?;
            Ok((opened.store, opened.actor))
        }
    }
}

/// Opens the store at `db` as `user`, creating it when there is none.
pub fn open_or_create(db: &Path, user: &str) -> anyhow::Result<(Store, Actor)> {
    if inspect(db)? == StoreFile::Missing {
        return create(db, user);
    }
    open(db, user)
}
