//! `claimdesk notice`: the decision notices an incident owes its claimants
//! (list them, export them as PDFs + send.csv + e-mail, record each one).

use std::path::PathBuf;

use claimdesk_notice::{ExportOptions, SmtpConfig};
use clap::{Args, Subcommand};

use crate::output::{kst, table};
use crate::StoreArgs;

#[derive(Subcommand)]
pub enum NoticeCommand {
    /// The claims whose claimant still has to hear of the decision (or, with --sent, were told).
    List(ListArgs),
    /// Write one PDF per claim not yet notified (<접수번호>.pdf) and DIR/send.csv for a bulk
    /// 알림톡/SMS sender; e-mail claimants with an address when --smtp is given; record each notice
    /// on its claim (supervisors, admins).
    Export(ExportArgs),
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The incident (default: the store's current one).
    #[arg(long)]
    incident: Option<String>,
    /// The notices sent, newest first, instead of the ones waiting.
    #[arg(long)]
    sent: bool,
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The folder to write into (created if missing; must not hold a send.csv already).
    #[arg(long)]
    out: PathBuf,
    /// The incident (default: the store's current one).
    #[arg(long)]
    incident: Option<String>,
    /// The SMTP server to e-mail notices through: smtp://host:port (a relay on the local
    /// network), smtps://user:password@host or smtp://…?tls=required.
    #[arg(long, env = "CLAIMDESK_SMTP_URL")]
    smtp: Option<String>,
    /// The sender of the e-mails, e.g. "보상센터 <notice@example.kr>".
    #[arg(long, env = "CLAIMDESK_SMTP_FROM", requires = "smtp")]
    from: Option<String>,
}

pub fn notice(c: NoticeCommand) -> anyhow::Result<()> {
    match c {
        NoticeCommand::List(a) => list(a),
        NoticeCommand::Export(a) => export(a),
    }
}

fn list(a: ListArgs) -> anyhow::Result<()> {
    let (mut s, actor) = a.store.open_existing()?;
    let lang = crate::lang();
    let label = |ko: &str, en: &str| {
        if lang == claimdesk_core::message::Lang::Ko {
            ko.to_string()
        } else {
            en.to_string()
        }
    };
    let rows = if a.sent {
        s.notices_sent(&actor, a.incident.as_deref(), a.limit)?
    } else {
        s.notices_due(&actor, a.incident.as_deref(), 0, a.limit)?.into_iter().map(|(_, r)| r).collect()
    };
    let counts = s.notice_counts(&actor, a.incident.as_deref())?;
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.external_id.clone(),
                r.name_masked.clone(),
                label(r.kind.label_ko(), r.kind.label_en()),
                r.lang.code().into(),
                r.phone_masked.clone().unwrap_or_else(|| "-".into()),
                if r.has_email { "✓".into() } else { "-".into() },
                r.sent
                    .as_ref()
                    .map(|n| {
                        let channels: Vec<&str> = n.channels.iter().map(|c| c.code()).collect();
                        format!("{} {} ({})", kst(n.sent_at), n.sent_by, channels.join("+"))
                    })
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    table(
        &[
            "접수번호",
            &label("이름", "name"),
            &label("안내", "notice"),
            &label("언어", "lang"),
            &label("전화", "phone"),
            &label("이메일", "e-mail"),
            &label("보낸 때", "sent"),
        ],
        &cells,
        &[],
    );
    crate::out!(
        "{}",
        label(
            &format!("보낼 안내 {}건 · 보낸 안내 {}건", counts.due, counts.sent),
            &format!("{} notices waiting · {} sent", counts.due, counts.sent)
        )
    );
    Ok(())
}

fn export(a: ExportArgs) -> anyhow::Result<()> {
    let (mut s, actor) = a.store.open_existing()?;
    let smtp = match (a.smtp, a.from) {
        (Some(url), Some(from)) => Some(SmtpConfig { url, from }),
        (Some(_), None) => return Err(claimdesk_notice::NoticeError::Sender("--from".into()).into()),
        _ => None,
    };
    let opts = ExportOptions { out_dir: a.out.clone(), incident: a.incident, smtp };
    let bar = crate::output::bar(0, "notices");
    let result = claimdesk_notice::export_due(&mut s, &actor, &opts, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
        true
    });
    bar.finish_and_clear();
    let report = result?;
    for r in &report.refused {
        crate::out!("{}  [{}] {}", r.external_id, r.code, r.explain.render(crate::lang()));
    }
    for p in &report.mail_problems {
        crate::out!("{}  [SMTP_SEND] {}", p.claim_id, p.message.render(crate::lang()));
    }
    for id in &report.malformed_emails {
        crate::out!("{id}  [BAD_EMAIL] {}", claimdesk_core::msg!("notice.bad_email").render(crate::lang()));
    }
    crate::out!("{}", report.summary().render(crate::lang()));
    crate::out!("{}", opts.out_dir.join("send.csv").display());
    Ok(())
}
