//! The keys of an encrypted store (decision 0009): one random data key, and
//! the key slots beside the database (`<store>.keys`) that hold it wrapped
//! once per way in: a person's password, the recovery key, and where a person
//! turns it on and one exists, a secret kept in the OS keychain.
//!
//! A slot is the data key sealed with XChaCha20-Poly1305 under a key derived
//! with argon2id from the secret (salt and parameters in the slot); its
//! associated data names the store, the slot's kind and its user, so a slot
//! cannot be moved to another user or store. User ids are not written: a
//! slot carries a salted SHA-256 tag of its user.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use claimdesk_core::msg;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Result, StoreError};

/// What is appended to the store's file name for its key slots.
pub const KEY_FILE_SUFFIX: &str = ".keys";
const FORMAT: u32 = 1;
/// The first 16 bytes of every plain SQLite database.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// argon2id parameters of a password slot: 64 MiB, 3 passes, 1 lane.
const PASSWORD_KDF: Kdf = Kdf { m_kib: 64 * 1024, t: 3, p: 1 };
/// Secrets that are random already (recovery key, keychain secret) need no
/// slow derivation; argon2id still binds them to the slot's salt.
const RANDOM_SECRET_KDF: Kdf = Kdf { m_kib: 8 * 1024, t: 1, p: 1 };
/// The most a key file may ask for (a hostile file must not exhaust memory).
const MAX_M_KIB: u32 = 1024 * 1024;
const MAX_T: u32 = 16;
const MAX_P: u32 = 8;

/// What the file at a store's path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreFile {
    /// No file, or an empty one: a store is still to be made.
    Missing,
    /// A plain SQLite database (to be encrypted at its next unlock).
    Plain,
    /// Anything else: an SQLCipher database (its first bytes are a random salt).
    Encrypted,
}

/// Looks at the first bytes of the file at `path`.
pub fn inspect(path: &Path) -> Result<StoreFile> {
    use std::io::Read;
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(StoreFile::Missing),
        Err(e) => return Err(e.into()),
    };
    let mut head = [0u8; 16];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(match n {
        0 => StoreFile::Missing,
        16 if &head == SQLITE_HEADER => StoreFile::Plain,
        _ => StoreFile::Encrypted,
    })
}

/// The path of a sibling of the store: `<store><suffix>`.
pub(crate) fn sibling(store: &Path, suffix: &str) -> PathBuf {
    let mut name = store.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    store.with_file_name(name)
}

/// The random key every page of the database and every evidence file is
/// encrypted with (through keys derived from it). Zeroed when dropped.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    pub(crate) fn random() -> DataKey {
        let mut k = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(k.as_mut());
        DataKey(k)
    }

    fn derive(&self, info: &str) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        hkdf::Hkdf::<Sha256>::new(Some(b"claimdesk store keys"), self.0.as_ref())
            .expand(info.as_bytes(), out.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        out
    }

    /// SQLCipher's raw key, `x'…'` (64 hex digits): SQLCipher runs no KDF of its own on it.
    pub(crate) fn sqlcipher_raw(&self) -> Zeroizing<String> {
        let k = self.derive("sqlcipher page key v1");
        Zeroizing::new(format!("x'{}'", hex::encode(k.as_ref())))
    }

    /// The key evidence files are sealed with.
    pub(crate) fn evidence_key(&self) -> Zeroizing<[u8; 32]> {
        self.derive("evidence file key v1")
    }
}

/// 32 random bytes from the OS (a keychain secret).
pub fn random_secret() -> Zeroizing<[u8; 32]> {
    let mut k = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(k.as_mut());
    k
}

/// The recovery key as people write it: 32 Crockford base-32 characters
/// (160 random bits) in eight groups of four.
pub struct RecoveryKey(Zeroizing<String>);

impl fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryKey(…)")
    }
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl RecoveryKey {
    pub(crate) fn generate() -> RecoveryKey {
        let mut bytes = Zeroizing::new([0u8; 20]);
        OsRng.fill_bytes(bytes.as_mut());
        let mut s = String::with_capacity(39);
        // 160 bits = 32 groups of 5 bits.
        for i in 0..32 {
            let bit = i * 5;
            let (byte, shift) = (bit / 8, bit % 8);
            let word = (u16::from(bytes[byte]) << 8) | u16::from(*bytes.get(byte + 1).unwrap_or(&0));
            let v = (word >> (11 - shift)) & 0x1f;
            if i > 0 && i % 4 == 0 {
                s.push('-');
            }
            s.push(CROCKFORD[v as usize] as char);
        }
        RecoveryKey(Zeroizing::new(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as typed back: case, spaces and dashes do not matter, and
    /// I/L read as 1, O as 0 (Crockford). None when it is not 32 such characters.
    pub fn normalize(typed: &str) -> Option<Zeroizing<String>> {
        let mut out = Zeroizing::new(String::with_capacity(32));
        for c in typed.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\t' => continue,
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            if !c.is_ascii() || !CROCKFORD.contains(&(c as u8)) {
                return None;
            }
            out.push(c);
        }
        (out.len() == 32).then_some(out)
    }

    /// The stored form of a pending key (inside the encrypted database).
    pub(crate) fn from_stored(s: &str) -> RecoveryKey {
        RecoveryKey(Zeroizing::new(s.to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Kdf {
    m_kib: u32,
    t: u32,
    p: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotKind {
    Password,
    Recovery,
    Keychain,
}

impl SlotKind {
    fn code(self) -> &'static str {
        match self {
            SlotKind::Password => "password",
            SlotKind::Recovery => "recovery",
            SlotKind::Keychain => "keychain",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Slot {
    kind: SlotKind,
    /// Password slots: hex SHA-256 of (salt ‖ user id); empty otherwise.
    #[serde(default)]
    user_tag: String,
    /// Hex, 16 bytes.
    salt: String,
    kdf: Kdf,
    /// Hex, 24 bytes.
    nonce: String,
    /// Hex: the sealed data key (32 bytes + 16-byte tag).
    wrapped: String,
    created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFileData {
    format: u32,
    store_id: String,
    slots: Vec<Slot>,
}

/// The key slots of one store, as read from `<store>.keys`.
#[derive(Debug, Clone)]
pub struct KeyFile {
    path: PathBuf,
    data: KeyFileData,
}

fn key_file_error(file: &Path, detail: impl fmt::Display) -> StoreError {
    StoreError::KeyFile { file: file.display().to_string(), detail: detail.to_string() }
}

fn user_tag(salt: &[u8], user: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"claimdesk key slot user\0");
    h.update(salt);
    h.update(user.trim().as_bytes());
    hex::encode(h.finalize())
}

fn derive_kek(secret: &[u8], salt: &[u8], kdf: Kdf) -> Result<Zeroizing<[u8; 32]>> {
    let params = argon2::Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32))
        .map_err(|e| StoreError::Invalid(msg!("store.password_hash", detail = e)))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(secret, salt, out.as_mut())
        .map_err(|e| StoreError::Invalid(msg!("store.password_hash", detail = e)))?;
    Ok(out)
}

impl KeyFile {
    /// `<store>.keys`.
    pub fn path_for(store: &Path) -> PathBuf {
        sibling(store, KEY_FILE_SUFFIX)
    }

    /// A new key file for a new store (no slot yet; nothing written).
    pub(crate) fn new(store: &Path) -> KeyFile {
        KeyFile {
            path: KeyFile::path_for(store),
            data: KeyFileData {
                format: FORMAT,
                store_id: uuid::Uuid::now_v7().to_string(),
                slots: Vec::new(),
            },
        }
    }

    /// Reads the key file of the store at `store`; None when there is none.
    pub fn load(store: &Path) -> Result<Option<KeyFile>> {
        let path = KeyFile::path_for(store);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(key_file_error(&path, e)),
        };
        if bytes.len() > 1024 * 1024 {
            return Err(key_file_error(&path, "larger than 1 MiB"));
        }
        let data: KeyFileData = serde_json::from_slice(&bytes).map_err(|e| key_file_error(&path, e))?;
        if data.format != FORMAT {
            return Err(key_file_error(
                &path,
                format!("format {} (this program reads {FORMAT})", data.format),
            ));
        }
        Ok(Some(KeyFile { path, data }))
    }

    /// Writes the file (0600) through a temporary file, fsync and rename, so
    /// it is always either the old one or the new one.
    pub(crate) fn save(&self) -> Result<()> {
        let tmp = sibling(&self.path, ".tmp");
        let json = serde_json::to_vec_pretty(&self.data)?;
        let _ = std::fs::remove_file(&tmp);
        let mut f = create_private(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &self.path)?;
        sync_dir(&self.path);
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn store_id(&self) -> &str {
        &self.data.store_id
    }

    fn aad(&self, kind: SlotKind, user_tag: &str) -> Vec<u8> {
        format!("claimdesk key slot v1\0{}\0{}\0{}", self.data.store_id, kind.code(), user_tag).into_bytes()
    }

    fn seal(
        &self,
        key: &DataKey,
        kind: SlotKind,
        user: Option<&str>,
        secret: &[u8],
        kdf: Kdf,
    ) -> Result<Slot> {
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let tag = user.map(|u| user_tag(&salt, u)).unwrap_or_default();
        let kek = derive_kek(secret, &salt, kdf)?;
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let aad = self.aad(kind, &tag);
        let wrapped = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: key.0.as_ref(), aad: &aad })
            .map_err(|_| key_file_error(&self.path, "the key could not be sealed"))?;
        Ok(Slot {
            kind,
            user_tag: tag,
            salt: hex::encode(salt),
            kdf,
            nonce: hex::encode(nonce),
            wrapped: hex::encode(wrapped),
            created_at: crate::now_secs(),
        })
    }

    /// The data key from `slot`, or None when the secret is not the slot's.
    fn open_slot(&self, slot: &Slot, secret: &[u8]) -> Result<Option<DataKey>> {
        let bad = |what: &str| key_file_error(&self.path, format!("a slot's {what} cannot be read"));
        if slot.kdf.m_kib > MAX_M_KIB || slot.kdf.t > MAX_T || slot.kdf.p > MAX_P {
            return Err(bad("key derivation parameters"));
        }
        let salt = hex::decode(&slot.salt).map_err(|_| bad("salt"))?;
        let nonce = hex::decode(&slot.nonce).ok().filter(|n| n.len() == 24).ok_or_else(|| bad("nonce"))?;
        let wrapped = hex::decode(&slot.wrapped).map_err(|_| bad("sealed key"))?;
        let kek = derive_kek(secret, &salt, slot.kdf)?;
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let aad = self.aad(slot.kind, &slot.user_tag);
        let Ok(plain) = cipher.decrypt(XNonce::from_slice(&nonce), Payload { msg: &wrapped, aad: &aad })
        else {
            return Ok(None);
        };
        let plain = Zeroizing::new(plain);
        let arr: [u8; 32] = plain.as_slice().try_into().map_err(|_| bad("sealed key"))?;
        Ok(Some(DataKey(Zeroizing::new(arr))))
    }

    fn user_slot(&self, user: &str) -> Option<usize> {
        self.data.slots.iter().position(|s| {
            s.kind == SlotKind::Password
                && hex::decode(&s.salt).is_ok_and(|salt| user_tag(&salt, user) == s.user_tag)
        })
    }

    /// Whether `user` has a password slot here.
    pub fn has_user(&self, user: &str) -> bool {
        self.user_slot(user).is_some()
    }

    /// The number of password slots (people who can open the store here).
    pub fn password_slots(&self) -> usize {
        self.data.slots.iter().filter(|s| s.kind == SlotKind::Password).count()
    }

    pub fn has_recovery(&self) -> bool {
        self.data.slots.iter().any(|s| s.kind == SlotKind::Recovery)
    }

    /// The data key from `user`'s slot. No slot: [`StoreError::NoKeyHere`];
    /// a wrong password: [`StoreError::SignIn`].
    pub fn unlock_password(&self, user: &str, password: &str) -> Result<DataKey> {
        let i =
            self.user_slot(user).ok_or_else(|| StoreError::NoKeyHere { user: user.trim().to_string() })?;
        self.open_slot(&self.data.slots[i], password.as_bytes())?.ok_or(StoreError::SignIn)
    }

    /// The data key from the recovery slot, with the key as typed.
    pub fn unlock_recovery(&self, typed: &str) -> Result<DataKey> {
        let key = RecoveryKey::normalize(typed).ok_or(StoreError::RecoveryFailed)?;
        for slot in self.data.slots.iter().filter(|s| s.kind == SlotKind::Recovery) {
            if let Some(k) = self.open_slot(slot, key.as_bytes())? {
                return Ok(k);
            }
        }
        Err(StoreError::RecoveryFailed)
    }

    /// The data key from the keychain slot with the keychain's secret (None: not this secret).
    pub fn unlock_keychain(&self, secret: &[u8]) -> Result<Option<DataKey>> {
        for slot in self.data.slots.iter().filter(|s| s.kind == SlotKind::Keychain) {
            if let Some(k) = self.open_slot(slot, secret)? {
                return Ok(Some(k));
            }
        }
        Ok(None)
    }

    /// Whether the store opens with a secret of the OS keychain.
    pub fn has_keychain(&self) -> bool {
        self.data.slots.iter().any(|s| s.kind == SlotKind::Keychain)
    }

    /// A keychain slot for `secret` replaces any earlier one (not saved yet).
    pub(crate) fn set_keychain(&mut self, key: &DataKey, secret: &[u8]) -> Result<()> {
        let slot = self.seal(key, SlotKind::Keychain, None, secret, RANDOM_SECRET_KDF)?;
        self.data.slots.retain(|s| s.kind != SlotKind::Keychain);
        self.data.slots.push(slot);
        Ok(())
    }

    pub(crate) fn remove_keychain(&mut self) {
        self.data.slots.retain(|s| s.kind != SlotKind::Keychain);
    }

    /// Writes (or replaces) `user`'s slot, wrapped with `password` (not saved yet).
    pub(crate) fn set_password_slot(&mut self, key: &DataKey, user: &str, password: &str) -> Result<()> {
        let slot = self.seal(key, SlotKind::Password, Some(user), password.as_bytes(), PASSWORD_KDF)?;
        match self.user_slot(user) {
            Some(i) => self.data.slots[i] = slot,
            None => self.data.slots.push(slot),
        }
        Ok(())
    }

    /// Removes `user`'s slot; whether there was one.
    pub(crate) fn remove_user(&mut self, user: &str) -> bool {
        match self.user_slot(user) {
            Some(i) => {
                self.data.slots.remove(i);
                true
            }
            None => false,
        }
    }

    /// A new recovery key replaces any earlier one; returned to be shown once.
    pub(crate) fn new_recovery(&mut self, key: &DataKey) -> Result<RecoveryKey> {
        let recovery = RecoveryKey::generate();
        let normal = RecoveryKey::normalize(recovery.as_str()).expect("a generated key reads back");
        let slot = self.seal(key, SlotKind::Recovery, None, normal.as_bytes(), RANDOM_SECRET_KDF)?;
        self.data.slots.retain(|s| s.kind != SlotKind::Recovery);
        self.data.slots.push(slot);
        Ok(recovery)
    }
}

/// Creates a new file readable and writable by its owner only (0600 on Unix).
pub(crate) fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Creates a directory (and its parents) for the owner only (0700 on Unix).
pub(crate) fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Makes the store's file exist, empty and 0600, before SQLite opens it:
/// SQLite gives the WAL, `-shm` and journal the mode of the database.
pub(crate) fn precreate_private(path: &Path) -> std::io::Result<()> {
    match create_private(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if std::fs::metadata(path)?.len() == 0 {
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
                }
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// fsync of the directory holding `path` (a rename is durable only then); best effort.
pub(crate) fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_keys_are_160_random_bits_in_groups_and_read_back_as_typed() {
        let a = RecoveryKey::generate();
        let b = RecoveryKey::generate();
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 39);
        assert_eq!(a.as_str().split('-').count(), 8);
        let typed = a.as_str().to_lowercase().replace('-', " ").replace('0', "o").replace('1', "l");
        assert_eq!(
            RecoveryKey::normalize(&typed).as_deref().map(|s| s.as_str()),
            Some(a.as_str().replace('-', "").as_str())
        );
        assert!(RecoveryKey::normalize("ABCD-EFGH").is_none(), "too short");
        assert!(RecoveryKey::normalize(&format!("{}U", &a.as_str()[..38])).is_none(), "U is not Crockford");
    }

    #[test]
    fn a_slot_opens_with_its_password_only_and_only_for_its_user_and_store() {
        let dir = tempfile::tempdir().expect("dir");
        let store = dir.path().join("s.db");
        let key = DataKey::random();
        let mut file = KeyFile::new(&store);
        file.set_password_slot(&key, "kim", "kim password").expect("slot");
        file.save().expect("save");
        let file = KeyFile::load(&store).expect("load").expect("some");
        assert_eq!(file.unlock_password("kim", "kim password").expect("opens").0.as_ref(), key.0.as_ref());
        assert_eq!(
            file.unlock_password("kim", "kim passwort").err().map(|e| e.code()),
            Some("SIGN_IN_FAILED")
        );
        assert_eq!(file.unlock_password("lee", "kim password").err().map(|e| e.code()), Some("NO_KEY_HERE"));
        // Neither the password, the data key nor the user id is in the file.
        let text = std::fs::read_to_string(file.path()).expect("read");
        assert!(!text.contains("kim"));
        assert!(!text.contains(&hex::encode(key.0.as_ref())));
        // The slot moved to another store id does not open.
        let mut other = file.clone();
        other.data.store_id = uuid::Uuid::now_v7().to_string();
        assert_eq!(
            other.unlock_password("kim", "kim password").err().map(|e| e.code()),
            Some("SIGN_IN_FAILED")
        );
        // A hostile file asking for 4 GiB of memory per try is refused before any derivation.
        let mut hostile = file.clone();
        hostile.data.slots[0].kdf.m_kib = u32::MAX;
        assert_eq!(hostile.unlock_password("kim", "kim password").err().map(|e| e.code()), Some("KEY_FILE"));
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_written_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let store = dir.path().join("s.db");
        let key = DataKey::random();
        let mut file = KeyFile::new(&store);
        file.new_recovery(&key).expect("recovery");
        file.save().expect("save");
        let mode = std::fs::metadata(file.path()).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn inspect_tells_plain_from_encrypted_and_missing() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("x.db");
        assert_eq!(inspect(&p).expect("i"), StoreFile::Missing);
        std::fs::write(&p, b"").expect("w");
        assert_eq!(inspect(&p).expect("i"), StoreFile::Missing);
        std::fs::write(&p, b"SQLite format 3\0and more").expect("w");
        assert_eq!(inspect(&p).expect("i"), StoreFile::Plain);
        std::fs::write(&p, [7u8; 64]).expect("w");
        assert_eq!(inspect(&p).expect("i"), StoreFile::Encrypted);
    }
}
