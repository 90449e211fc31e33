//! Evidence files (photos, PDFs) kept content-addressed beside the database:
//! `<store>.evidence/ab/abcdef…` named by their SHA-256, so the same file
//! added twice is stored once and any change to a file is detectable.

use claimdesk_core::msg;
use std::io::Write;
use std::path::{Path, PathBuf};

use claimdesk_core::workflow::ClaimCommand;
use claimdesk_core::Actor;
use rusqlite::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::oplog::OpReceipt;
use crate::Store;

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
        self.evidence_dir().join(&sha256[..2]).join(sha256)
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
            // Write then rename, so a crash never leaves a half file under a content name.
            let dir = target.parent().map(Path::to_path_buf).unwrap_or_default();
            std::fs::create_dir_all(&dir)?;
            let tmp = dir.join(format!(".{sha256}.partial"));
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &target)?;
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
        let bytes = std::fs::read(self.evidence_path(sha256))
            .map_err(|_| StoreError::NotFound(format!("evidence file {sha256}")))?;
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(StoreError::Invalid(msg!("store.evidence_changed", sha256 = sha256)));
        }
        Ok(bytes)
    }
}
