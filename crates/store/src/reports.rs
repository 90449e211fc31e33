//! Reports as spreadsheets (XLSX), each stamped with the time it is "as of":
//! a queue view (any filter and sort), and the report pack a supervisor
//! sends to the council (received, by category, status, service and remedy,
//! per day, paid so far). Cells are typed: amounts are numbers, everything
//! a claimant wrote is a text cell, so a spreadsheet never runs it.

use std::path::Path;

use chrono::{TimeZone, Utc};
use claimdesk_core::message::Lang;
use claimdesk_core::model::code_label;
use claimdesk_core::time::format_kst;
use claimdesk_core::workflow::AdminAction;
use claimdesk_core::Actor;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::error::Result;
use crate::queue::{QueueFilter, Sort};
use crate::stats::Group;
use crate::Store;

/// What a written report holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportSummary {
    pub rows: u64,
    /// When the figures were read (KST, as written in the file).
    pub as_of: String,
}

fn as_of_now() -> String {
    format_kst(Utc::now())
}

fn bold() -> Format {
    Format::new().set_bold()
}

fn won_format() -> Format {
    Format::new().set_num_format("#,##0")
}

/// Row 0: the title and the time; row 1 blank; the header on row 2.
fn head(sheet: &mut Worksheet, title: &str, as_of: &str, header: &[&str]) -> Result<u32> {
    sheet.write_string_with_format(0, 0, title, &bold())?;
    sheet.write_string(0, 3, format!("기준 시각 (as of) {as_of}"))?;
    for (col, h) in header.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *h, &bold())?;
    }
    sheet.set_freeze_panes(3, 0)?;
    Ok(3)
}

/// The Korean label of a coded value (`status`, `category`, `remedy`), the
/// code itself for values without one (services, days).
fn label_of(kind: &str, code: &str) -> String {
    code_label(Lang::Ko, &format!("{kind}.{code}")).map_or_else(|| code.to_string(), str::to_string)
}

/// One sheet of groups: key, claims, policy amount, claimed amount.
fn group_sheet(book: &mut Workbook, name: &str, kind: &str, groups: &[Group], as_of: &str) -> Result<()> {
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    let first = head(sheet, name, as_of, &["구분", "코드", "건수", "정책 금액(원)", "청구 금액(원)"])?;
    let won = won_format();
    for (row, g) in (first..).zip(groups) {
        sheet.write_string(row, 0, label_of(kind, &g.key))?;
        sheet.write_string(row, 1, &g.key)?;
        sheet.write_number(row, 2, g.claims as f64)?;
        sheet.write_number_with_format(row, 3, g.amount as f64, &won)?;
        sheet.write_number_with_format(row, 4, g.claimed as f64, &won)?;
    }
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(3, 16)?;
    sheet.set_column_width(4, 16)?;
    Ok(())
}

/// Saves beside the destination, then renames: never half a file at `path`.
fn save(book: &mut Workbook, path: &Path) -> Result<()> {
    let tmp = path.with_extension("xlsx.part");
    book.save(&tmp)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

const QUEUE_HEADER: [&str; 12] = [
    "접수번호",
    "접수일시",
    "유형",
    "성명",
    "서비스",
    "상태",
    "담당",
    "청구액(원)",
    "보상",
    "정책금액(원)",
    "사유",
    "태그",
];

impl Store {
    /// Writes the claims a queue view shows (its filter and sort, every
    /// page) as XLSX. Supervisors and admins: the file leaves the desktop.
    /// Rows are written as they are read (constant-memory sheet), so a
    /// view of a million claims stays within the import's memory budget.
    pub fn export_queue_xlsx(
        &mut self,
        actor: &Actor,
        filter: &QueueFilter,
        sort: Sort,
        path: &Path,
    ) -> Result<ReportSummary> {
        self.require(actor, AdminAction::ExportReports, "report:queue")?;
        let as_of = as_of_now();
        let mut book = Workbook::new();
        let won = won_format();
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name("대기열")?;
        let mut row = head(sheet, "신고 목록 (queue)", &as_of, &QUEUE_HEADER)?;
        let rows = self.for_each_row(filter, sort, |r| {
            let received = Utc.timestamp_opt(r.received_at, 0).single().map(format_kst).unwrap_or_default();
            sheet.write_string(row, 0, &r.external_id)?;
            sheet.write_string(row, 1, received)?;
            sheet.write_string(row, 2, label_of("category", &r.category))?;
            sheet.write_string(row, 3, &r.name)?;
            sheet.write_string(row, 4, &r.service)?;
            sheet.write_string(row, 5, label_of("status", &r.status))?;
            sheet.write_string(row, 6, r.assignee.as_deref().unwrap_or(""))?;
            if let Some(a) = r.claimed_amount {
                sheet.write_number_with_format(row, 7, a as f64, &won)?;
            }
            sheet.write_string(
                row,
                8,
                r.remedy.as_deref().map(|m| label_of("remedy", m)).unwrap_or_default(),
            )?;
            if let Some(a) = r.amount {
                sheet.write_number_with_format(row, 9, a as f64, &won)?;
            }
            sheet.write_string(row, 10, r.reason.as_deref().unwrap_or(""))?;
            sheet.write_string(row, 11, r.tags.join(", "))?;
            row += 1;
            Ok(())
        })?;
        save(&mut book, path)?;
        Ok(ReportSummary { rows, as_of })
    }

    /// The report pack of the current incident: a summary sheet, then the
    /// claims by status, category, service and remedy, and per received day.
    pub fn export_report_pack(&mut self, actor: &Actor, path: &Path) -> Result<ReportSummary> {
        self.require(actor, AdminAction::ExportReports, "report:pack")?;
        let as_of = as_of_now();
        let stats = self.stats()?;
        let incident = self.current_incident()?;
        let name =
            self.incidents()?.into_iter().find(|i| i.id == incident).map(|i| i.name).unwrap_or_default();
        let mut book = Workbook::new();
        let won = won_format();
        {
            let sheet = book.add_worksheet();
            sheet.set_name("요약")?;
            let mut row =
                head(sheet, &format!("{name} 보상 심사 현황"), &as_of, &["항목", "건수", "금액(원)"])?;
            let of = |code: &str| stats.by_status.iter().find(|g| g.key == code);
            let analysed: u64 = stats.by_status.iter().filter(|g| g.key != "new").map(|g| g.claims).sum();
            let lines: Vec<(&str, u64, Option<i64>)> = vec![
                ("접수 (received)", stats.total, None),
                ("심사 착수 (analysed: beyond new)", analysed, None),
                (
                    "승인, 지급 전 (approved)",
                    of("approved").map_or(0, |g| g.claims),
                    of("approved").map(|g| g.amount),
                ),
                (
                    "지급 완료 (paid so far)",
                    of("paid").map_or(0, |g| g.claims),
                    Some(of("paid").map_or(0, |g| g.amount)),
                ),
                ("기각 종결 (denied)", of("closed_denied").map_or(0, |g| g.claims), None),
                ("보완 요청 중 (needs info)", of("needs_info").map_or(0, |g| g.claims), None),
            ];
            for (label, claims, amount) in lines {
                sheet.write_string(row, 0, label)?;
                sheet.write_number(row, 1, claims as f64)?;
                if let Some(a) = amount {
                    sheet.write_number_with_format(row, 2, a as f64, &won)?;
                }
                row += 1;
            }
            sheet.write_string(row + 1, 0, format!("사고: {name} ({incident})"))?;
            sheet.set_column_width(0, 34)?;
            sheet.set_column_width(2, 16)?;
        }
        group_sheet(&mut book, "상태별", "status", &stats.by_status, &as_of)?;
        group_sheet(&mut book, "유형별", "category", &stats.by_category, &as_of)?;
        group_sheet(&mut book, "서비스별", "service", &stats.by_service, &as_of)?;
        group_sheet(&mut book, "보상별", "remedy", &stats.by_remedy, &as_of)?;
        group_sheet(&mut book, "일자별 접수", "day", &stats.by_day, &as_of)?;
        save(&mut book, path)?;
        Ok(ReportSummary { rows: stats.total, as_of })
    }
}
