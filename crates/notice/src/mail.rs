//! Notices by e-mail: the letter as the message's text, its PDF attached,
//! sent by SMTP to the server a team configures (`smtp://host:port` for a
//! relay on the local network, `smtps://` or `?tls=required` for TLS; the
//! user and password come from the URL, never from a file ClaimDesk writes).

use claimdesk_core::notice::LetterText;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Message, SmtpTransport, Transport};

use crate::NoticeError;

/// Where and as whom notices are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// `smtp://user:password@host:587?tls=required`, `smtps://host`, `smtp://127.0.0.1:2525`.
    pub url: String,
    /// The sender, e.g. `보상센터 <notice@example.kr>`.
    pub from: String,
}

/// An SMTP connection pool for one export.
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl Mailer {
    /// Checks the configuration (the URL, the sender) before anything is sent.
    pub fn new(config: &SmtpConfig) -> Result<Mailer, NoticeError> {
        let parsed = url::Url::parse(&config.url).map_err(|e| NoticeError::SmtpUrl(e.to_string()))?;
        if !matches!(parsed.scheme(), "smtp" | "smtps") {
            return Err(NoticeError::SmtpUrl(format!(
                "the scheme must be smtp or smtps, not {}",
                parsed.scheme()
            )));
        }
        let transport =
            SmtpTransport::from_url(&config.url).map_err(|e| NoticeError::SmtpUrl(e.to_string()))?.build();
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| NoticeError::Sender(format!("{}: {e}", config.from)))?;
        Ok(Mailer { transport, from })
    }

    /// Sends one letter to `to`, its PDF attached as `<claim id>.pdf`.
    pub fn send(&self, to: &str, text: &LetterText, claim_id: &str, pdf: &[u8]) -> Result<(), NoticeError> {
        let to = to.parse::<Mailbox>().map_err(|e| NoticeError::Address(format!("{to}: {e}")))?;
        let mut body = text.body.trim().to_string();
        if let Some((title, lines)) = &text.grounds {
            body.push_str(&format!("\n\n{title}\n"));
            for (i, l) in lines.iter().enumerate() {
                body.push_str(&format!("{}. {l}\n", i + 1));
            }
        }
        body.push_str("\n\n");
        body.push_str(&text.footer.join("\n"));
        let message =
            Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(text.subject.trim())
                .multipart(MultiPart::mixed().singlepart(SinglePart::plain(body)).singlepart(
                    Attachment::new(format!("{claim_id}.pdf")).body(
                        pdf.to_vec(),
                        ContentType::parse("application/pdf").expect("a valid content type"),
                    ),
                ))
                .map_err(|e| NoticeError::Address(e.to_string()))?;
        self.transport.send(&message).map_err(|e| NoticeError::Smtp(e.to_string()))?;
        Ok(())
    }
}
