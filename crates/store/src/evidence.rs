//! Evidence files (photos, PDFs) kept content-addressed beside the database,
//! so the same file added twice is stored once and any change to a file is
//! detectable. In an encrypted store (decision 0009) each file is sealed with
//! XChaCha20-Poly1305 under the evidence key (`CLAIMDESK-EVIDENCE-1\0` ‖
//! nonce ‖ ciphertext, the SHA-256 as associated data) and named by
//! HMAC-SHA256(evidence key, SHA-256), so its name does not confirm a guess
//! of its content: `<store>.evidence/ab/ab…`. A plain store keeps plain files
//! named by their SHA-256; they are sealed when the store is encrypted.

use claimdesk_core::msg;
use std::io::Write;
use std::path::{Path, PathBuf};

use claimdesk_core::workflow::ClaimCommand;
use claimdesk_core::Actor;
use rusqlite::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};

use crate::error::{Result, StoreError};
use crate::keys::{self, DataKey};
use crate::oplog::OpReceipt;
use crate::Store;

const SEALED_MAGIC: &[u8] = b"CLAIMDESK-EVIDENCE-1\0";

/// The file name of a sealed evidence file: HMAC-SHA256(evidence key, sha256).
fn sealed_name(key: &DataKey, sha256: &str) -> String {
    let ek = key.evidence_key();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(ek.as_ref()).expect("HMAC takes any key length");
    mac.update(sha256.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn seal(key: &DataKey, sha256: &str, plain: &[u8]) -> Result<Vec<u8>> {
    let ek = key.evidence_key();
    let cipher = XChaCha20Poly1305::new(ek.as_ref().into());
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: sha256.as_bytes() })
        .map_err(|_| StoreError::Invalid(msg!("store.evidence_changed", sha256 = sha256)))?;
    let mut out = Vec::with_capacity(SEALED_MAGIC.len() + 24 + sealed.len());
    out.extend_from_slice(SEALED_MAGIC);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

fn unseal(key: &DataKey, sha256: &str, file: &[u8]) -> Result<Vec<u8>> {
    let changed = || StoreError::Invalid(msg!("store.evidence_changed", sha256 = sha256));
    let rest = file.strip_prefix(SEALED_MAGIC).ok_or_else(changed)?;
    if rest.len() < 24 {
        return Err(changed());
    }
    let (nonce, sealed) = rest.split_at(24);
    let ek = key.evidence_key();
    let cipher = XChaCha20Poly1305::new(ek.as_ref().into());
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: sha256.as_bytes() })
        .map_err(|_| changed())
}

/// Writes `bytes` to `target` through a temporary file (0600) and a rename,
/// so a crash never leaves a half file under a content name.
fn write_private(target: &Path, bytes: &[u8]) -> Result<()> {
    let dir = target.parent().map(Path::to_path_buf).unwrap_or_default();
    keys::create_private_dir(&dir)?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.partial"));
    let _ = std::fs::remove_file(&tmp);
    let mut f = keys::create_private(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, target)?;
    Ok(())
}

fn is_sha256(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Largest evidence file accepted (a phone photo or a scanned PDF fits).
pub const MAX_EVIDENCE_BYTES: u64 = 50 * 1024 * 1024;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceFile {
    pub sha256: String,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub added_by: String,
    pub added_at: i64,
}

/// The media type from the file name, for viewing.
pub fn mime_for(name: &str) -> &'static str {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

pub(crate) fn list(conn: &Connection, claim_id: i64) -> Result<Vec<EvidenceFile>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sha256, file_name, mime, size, added_by, added_at FROM evidence WHERE claim_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([claim_id], |r| {
        Ok(EvidenceFile {
            sha256: r.get(0)?,
            file_name: r.get(1)?,
            mime: r.get(2)?,
            size: r.get(3)?,
            added_by: r.get(4)?,
            added_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Store {
    fn evidence_path(&self, sha256: &str) -> PathBuf {
        match &self.key {
            Some(key) => {
                let name = sealed_name(key, sha256);
                self.evidence_dir().join(&name[..2]).join(name)
            }
            None => self.evidence_dir().join(&sha256[..2]).join(sha256),
        }
    }

    /// Seals the plain evidence files of a store that was plain (after its
    /// migration), one by one: the sealed file is written, then the plain one
    /// removed; `meta.evidence_sealed` marks the end, so a pass cut short
    /// goes on at the next open.
    pub(crate) fn seal_plain_evidence(&mut self) -> Result<()> {
        let Some(key) = self.key.clone() else { return Ok(()) };
        let done: bool = self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM meta WHERE key = 'evidence_sealed')",
            [],
            |r| r.get(0),
        )?;
        if done {
            return Ok(());
        }
        let root = self.evidence_dir();
        let mut sealed = 0usize;
        for sub in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            if !sub.path().is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(sub.path())?.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if !path.is_file() || !is_sha256(&name) {
                    continue;
                }
                let bytes = std::fs::read(&path)?;
                if bytes.starts_with(SEALED_MAGIC) {
                    continue;
                }
                // Sealed under the name it had: a file changed on disk stays detectably changed.
                let sha256 = name.to_ascii_lowercase();
                let target = self.evidence_path(&sha256);
                write_private(&target, &seal(&key, &sha256, &bytes)?)?;
                std::fs::remove_file(&path)?;
                sealed += 1;
            }
        }
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('evidence_sealed', '1')", [])?;
        if sealed > 0 {
            tracing::info!(files = sealed, "evidence files sealed");
        }
        Ok(())
    }

    /// Attaches a file from disk to a claim.
    pub fn add_evidence(&mut self, actor: &Actor, external_id: &str, file: &Path) -> Result<OpReceipt> {
        let meta = std::fs::metadata(file).map_err(|e| {
            StoreError::Invalid(msg!("store.evidence_unreadable", file = file.display(), detail = e))
        })?;
        if !meta.is_file() {
            return Err(StoreError::Invalid(msg!("store.evidence_not_file", file = file.display())));
        }
        if meta.len() > MAX_EVIDENCE_BYTES {
            return Err(StoreError::Invalid(msg!(
                "store.evidence_too_big",
                file = file.display(),
                size = meta.len() / 1_048_576,
                max = MAX_EVIDENCE_BYTES / 1_048_576
            )));
        }
        let bytes = std::fs::read(file)?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let target = self.evidence_path(&sha256);
        if !target.exists() {
            let stored = match &self.key {
                Some(key) => seal(key, &sha256, &bytes)?,
                None => bytes.clone(),
            };
            write_private(&target, &stored)?;
        }
        let file_name =
            file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "evidence".into());
        let mime = mime_for(&file_name).to_string();
        let size = bytes.len() as i64;
        let cmd = ClaimCommand::AddEvidence { sha256, file_name, mime, size };
        Ok(self.claim_change(actor, external_id, None, cmd)?.receipt)
    }

    /// The bytes of an evidence file, checked against its content address.
    pub fn read_evidence(&self, sha256: &str) -> Result<Vec<u8>> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid(msg!("store.evidence_id", sha256 = sha256)));
        }
        let sha256 = &sha256.to_ascii_lowercase();
        let file = std::fs::read(self.evidence_path(sha256))
            .map_err(|_| StoreError::NotFound(format!("evidence file {sha256}")))?;
        let bytes = match &self.key {
            Some(key) => unseal(key, sha256, &file)?,
            None => file,
        };
        if &hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(StoreError::Invalid(msg!("store.evidence_changed", sha256 = sha256)));
        }
        Ok(bytes)
    }
}
