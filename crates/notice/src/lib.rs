//! Decision notices leaving ClaimDesk (issue 12): letters as PDF with the
//! Korean font shipped inside ([`pdf`]), the bulk 알림톡/SMS file ([`sms`]),
//! e-mail by SMTP ([`mail`]), and the export that sends everything an
//! incident owes and records each notice on its claim ([`export`]). What a
//! letter says is the core's ([`claimdesk_core::notice`]); which claims owe
//! one and recording it is the store's ([`claimdesk_store::notices`]).

pub mod export;
pub mod mail;
pub mod pdf;
pub mod sms;

use std::path::PathBuf;

use claimdesk_core::message::{Explain, Message};
use claimdesk_core::msg;

pub use export::{export_due, ExportOptions, ExportReport};
pub use mail::{Mailer, SmtpConfig};

#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error(transparent)]
    Store(#[from] claimdesk_store::StoreError),
    #[error("the letter font that ships with ClaimDesk could not be read")]
    Font,
    #[error("the letter could not be laid out")]
    Layout,
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("the SMTP server address is not valid: {0}")]
    SmtpUrl(String),
    #[error("the sender address is not valid: {0}")]
    Sender(String),
    #[error("the e-mail address is not valid: {0}")]
    Address(String),
    #[error("the SMTP server did not take the e-mail: {0}")]
    Smtp(String),
    #[error("the incident has no letter template for {0}")]
    NoTemplate(String),
    #[error(
        "{0} already exists: choose an empty folder (or move the earlier send.csv) so no line is sent twice"
    )]
    SendFileExists(PathBuf),
    #[error("could not write {0}: {1}")]
    Folder(PathBuf, std::io::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl NoticeError {
    /// A stable code for scripts and the app.
    pub fn code(&self) -> &'static str {
        match self {
            NoticeError::Store(e) => e.code(),
            NoticeError::Font | NoticeError::Layout | NoticeError::Pdf(_) => "NOTICE_PDF",
            NoticeError::SmtpUrl(_) | NoticeError::Sender(_) => "SMTP_CONFIG",
            NoticeError::Address(_) | NoticeError::Smtp(_) => "SMTP_SEND",
            NoticeError::NoTemplate(_) => "NO_LETTER_TEMPLATE",
            NoticeError::SendFileExists(_) => "SEND_FILE_EXISTS",
            NoticeError::Folder(..) | NoticeError::Io(_) => "IO",
        }
    }
}

impl Explain for NoticeError {
    fn message(&self) -> Message {
        match self {
            NoticeError::Store(e) => e.message(),
            NoticeError::Font | NoticeError::Layout => msg!("notice.pdf", detail = self.to_string()),
            NoticeError::Pdf(d) => msg!("notice.pdf", detail = d),
            NoticeError::SmtpUrl(d) => msg!("notice.smtp_url", detail = d),
            NoticeError::Sender(d) => msg!("notice.sender", detail = d),
            NoticeError::Address(d) => msg!("notice.address", detail = d),
            NoticeError::Smtp(d) => msg!("notice.smtp", detail = d),
            NoticeError::NoTemplate(kind) => msg!("notice.no_template", kind = kind),
            NoticeError::SendFileExists(p) => msg!("notice.send_file_exists", file = p.display()),
            NoticeError::Folder(p, e) => msg!("notice.folder", file = p.display(), detail = e),
            NoticeError::Io(e) => msg!("notice.folder", file = "-", detail = e),
        }
    }
}

/// A 접수번호 as a file name: characters a file system refuses or reads as
/// a path (`/`, `\`, control characters, a leading `.`) become `_`.
pub fn file_name(claim_id: &str) -> String {
    let mut name: String = claim_id
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if name.starts_with('.') || name.is_empty() {
        name.insert(0, '_');
    }
    name
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_claim_id_is_a_file_name_that_stays_in_its_folder() {
        assert_eq!(super::file_name("KD-2022-000123"), "KD-2022-000123");
        assert_eq!(super::file_name("../etc/passwd"), "_.._etc_passwd");
        assert_eq!(super::file_name("a\\b:c"), "a_b_c");
    }
}
