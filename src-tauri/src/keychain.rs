//! The OS keychain as a way to open the store (decision 0009): an admin may
//! let this PC's keychain (Secret Service on Linux, through the `keyring`
//! crate) keep a random secret whose key slot opens the store at the app's
//! start, so that a person with no slot here yet can sign in (and get one).
//! Where there is no keychain (a server, Xvfb) the option says so and
//! nothing changes: the store opens with passwords as before.

use claimdesk_store::keys::KeyFile;
use claimdesk_store::Store;

const SERVICE: &str = "kr.claimdesk.desktop";

fn entry(store_id: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(SERVICE, &format!("store:{store_id}")).map_err(|e| e.to_string())
}

/// Whether a keychain answers here; Err says why not.
pub fn available() -> Result<(), String> {
    let probe = entry("probe")?;
    match probe.get_secret() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// The secret kept for the store `store_id`, if the keychain answers and holds one.
pub fn secret(store_id: &str) -> Option<Vec<u8>> {
    entry(store_id).ok()?.get_secret().ok()
}

/// Keeps a new random secret for the store and returns it.
pub fn new_secret(store_id: &str) -> Result<Vec<u8>, String> {
    available()?;
    let secret = claimdesk_store::keys::random_secret().to_vec();
    entry(store_id)?.set_secret(&secret).map_err(|e| e.to_string())?;
    Ok(secret)
}

/// Forgets the store's secret (best effort: the slot is removed anyway).
pub fn forget(store_id: &str) {
    if let Ok(e) = entry(store_id) {
        let _ = e.delete_credential();
    }
}

/// At start: the store opened through the keychain, when it has a keychain
/// slot and the keychain holds its secret.
pub fn open_at_start(path: &std::path::Path) -> Option<Store> {
    let key_file = KeyFile::load(path).ok().flatten()?;
    if !key_file.has_keychain() {
        return None;
    }
    let secret = secret(key_file.store_id())?;
    match Store::open_with_keychain(path, &secret) {
        Ok(store) => store,
        Err(e) => {
            tracing::warn!(error = %e, "the keychain's secret did not open the store");
            None
        }
    }
}
