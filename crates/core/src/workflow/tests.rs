//! The workflow rules checked against an expectation table written apart
//! from `decide` (tried for every command, role, state and holder), focused
//! tests of the rules with money and people in them, and properties.

use super::*;
use crate::model::ReportType;
use proptest::prelude::*;
use rust_decimal_macros::dec;

const ME: &str = "alice";
const OTHER: &str = "olga";
const RECOMMENDER: &str = "rita";
const REC_OP: &str = "op-rec-1";
const PAYOUT: &str = "payout-1";

fn triage() -> ClaimCommand {
    ClaimCommand::Triage {
        category: None,
        priority: None,
        tags: None,
        duplicate_of: None,
        duplicate_cleared: false,
    }
}
fn info_received() -> ClaimCommand {
    ClaimCommand::InfoReceived { note: String::new() }
}
fn mark_paid() -> ClaimCommand {
    ClaimCommand::MarkPaid { payout_id: PAYOUT.to_string() }
}
fn resolve(to: ClaimStatus) -> ClaimCommand {
    ClaimCommand::ResolveConflict { to, note: String::new() }
}
fn evidence() -> ClaimCommand {
    ClaimCommand::AddEvidence {
        sha256: "ab".repeat(32),
        file_name: "receipt.jpg".to_string(),
        mime: "image/jpeg".to_string(),
        size: 10,
    }
}

const ROLES: [Role; 3] = [Role::Reviewer, Role::Supervisor, Role::Admin];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holder {
    Nobody,
    Me,
    Other,
}
const HOLDERS: [Holder; 3] = [Holder::Nobody, Holder::Me, Holder::Other];

fn actor(user: &str, role: Role, limit: Option<Decimal>) -> Actor {
    Actor { user: user.to_string(), role, approval_limit: limit, device: "dev-1".to_string() }
}

fn cash(amount: Decimal) -> Decision {
    Decision::Approve { remedy: Remedy::Cash, amount, extension_days: 0, grants: Vec::new() }
}

fn recommendation(by: &str, op: &str, decision: Decision) -> Recommendation {
    Recommendation {
        op_id: op.to_string(),
        by: by.to_string(),
        decision,
        is_override: false,
        justification: None,
    }
}

fn proposal_cash(amount: Decimal) -> PolicyProposal {
    PolicyProposal { eligible: true, remedy: Remedy::Cash, amount, extension_days: 0, grants: Vec::new() }
}

fn ineligible() -> PolicyProposal {
    PolicyProposal {
        eligible: false,
        remedy: Remedy::None,
        amount: dec!(0),
        extension_days: 0,
        grants: Vec::new(),
    }
}

/// The fixture of the table: a cash claim of 50,000 won recommended by rita
/// exactly as the policy proposed.
fn claim(status: ClaimStatus, holder: Holder) -> ClaimView {
    ClaimView {
        status,
        assignee: match holder {
            Holder::Nobody => None,
            Holder::Me => Some(ME.to_string()),
            Holder::Other => Some(OTHER.to_string()),
        },
        recommendation: Some(recommendation(RECOMMENDER, REC_OP, cash(dec!(50000)))),
        batch_id: None,
        proposal: Some(proposal_cash(dec!(50000))),
        reserved_for: None,
        reserved_by: None,
        report_type: Default::default(),
        cited: None,
        notified: false,
        request: None,
        requests: 0,
        as_of: None,
    }
}

/// One well-formed command of each kind, written here rather than taken from
/// the module, in the order of the table.
fn commands() -> Vec<ClaimCommand> {
    vec![
        triage(),
        ClaimCommand::Take,
        ClaimCommand::Release,
        request_info("영수증 사본을 보내 주세요"),
        info_received(),
        ClaimCommand::Recommend { decision: cash(dec!(50000)), justification: None },
        ClaimCommand::AddNote { body: "통화함".to_string() },
        ClaimCommand::Annotate { priority: None, tags: Some(vec!["택시".to_string()]) },
        evidence(),
        ClaimCommand::RevealPersonalData { field: PersonalField::Phone },
        ClaimCommand::AddToBatch { batch_id: "batch-7".to_string() },
        ClaimCommand::RemoveFromBatch,
        ClaimCommand::ReturnToReviewer { comment: "check the income figure".to_string() },
        ClaimCommand::Approve { recommendation_op: REC_OP.to_string() },
        mark_paid(),
        resolve(ClaimStatus::Triaged),
        ClaimCommand::WithdrawNote { note_op: "op-note-1".to_string() },
        ClaimCommand::UpdateIntake {
            claim: Box::new(ClaimInput::placeholder()),
            fields: vec!["name".to_string()],
        },
        ClaimCommand::Lease,
        ClaimCommand::ReleaseLease,
        ClaimCommand::ReservePayout { payout_id: PAYOUT.to_string() },
        ClaimCommand::ReleasePayout { payout_id: PAYOUT.to_string() },
        ClaimCommand::SetReportType { report_type: ReportType::Inquiry },
        ClaimCommand::CloseNoDamage { reply: "INQUIRY_ANSWERED".to_string(), note: String::new() },
        ClaimCommand::Reopen,
        ClaimCommand::Notify { channels: vec![NoticeChannel::Pdf], lang: Default::default(), resend: false },
        ClaimCommand::CheckDocument { document: "BANK_ACCOUNT_COPY".to_string(), received: true },
        ClaimCommand::Expire { note: String::new() },
        ClaimCommand::ReserveFulfilment { fulfilment_id: PAYOUT.to_string() },
        ClaimCommand::ReleaseFulfilment { fulfilment_id: PAYOUT.to_string() },
        ClaimCommand::MarkFulfilled { fulfilment_id: PAYOUT.to_string() },
    ]
}

/// A first request for information with the policy's due date, uncoded (as before coded reasons).
fn request_info(message: &str) -> ClaimCommand {
    ClaimCommand::RequestInfo { code: None, message: message.to_string(), due_on: None, another: false }
}

fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

/// NOT_CURED as the policy in force cites it, with its cure window.
fn not_cured(window: Option<crate::policy::CureWindow>) -> CitedReason {
    CitedReason {
        code: NOT_CURED.to_string(),
        kind: ReasonKind::Denial,
        ko: "보완 서류 미제출".to_string(),
        en: "Not cured".to_string(),
        appealable: true,
        policy_version: Some(1),
        cure: window,
    }
}

/// A request made on 30 Jan 2023, due 4 Mar, seen on `today` with NOT_CURED cited.
fn waiting(today: chrono::NaiveDate, window: Option<crate::policy::CureWindow>) -> ClaimView {
    ClaimView {
        request: Some(OpenRequest { requested_on: day(2023, 1, 30), due_on: day(2023, 3, 4) }),
        requests: 1,
        as_of: Some(today),
        cited: Some(not_cured(window)),
        ..claim(ClaimStatus::NeedsInfo, Holder::Other)
    }
}

/// The table's claim, reserved for [`PAYOUT`] where the command needs a
/// reservation; given a voucher (nothing to pay, something to fulfil) for a fulfilment.
fn claim_for(cmd: &ClaimCommand, status: ClaimStatus, holder: Holder) -> ClaimView {
    let reserved = matches!(
        cmd,
        ClaimCommand::MarkPaid { .. }
            | ClaimCommand::ReleasePayout { .. }
            | ClaimCommand::ReleaseFulfilment { .. }
            | ClaimCommand::MarkFulfilled { .. }
    );
    let view = ClaimView { reserved_for: reserved.then(|| PAYOUT.to_string()), ..claim(status, holder) };
    match cmd {
        ClaimCommand::ReserveFulfilment { .. }
        | ClaimCommand::ReleaseFulfilment { .. }
        | ClaimCommand::MarkFulfilled { .. } => {
            let voucher = Decision::approve(crate::Remedy::Voucher, dec!(2500), 0);
            ClaimView { recommendation: Some(recommendation(RECOMMENDER, REC_OP, voucher)), ..view }
        }
        // An inquiry, whose reply code the policy in force has (the stamp says so).
        ClaimCommand::CloseNoDamage { reply, .. } => {
            ClaimView { report_type: ReportType::Inquiry, cited: Some(closure(reply)), ..view }
        }
        // Overdue: asked on 30 Jan, due 4 Mar, expired on 5 Mar.
        ClaimCommand::Expire { .. } => {
            ClaimView { status, assignee: view.assignee.clone(), ..waiting(day(2023, 3, 5), None) }
        }
        _ => view,
    }
}

/// The expectation, by command kind, role and state. Columns follow
/// `ClaimStatus::ALL`. A cell is:
///   x        refused: WRONG_STATE
///   =        accepted, status unchanged
///   <status> accepted, moves to that status
/// with suffixes
///   !  only the holder: held by another → HELD_BY_OTHER, held by nobody → INVALID
///   ?  held by another → HELD_BY_OTHER (unheld is fine)
///   r  for reviewers only: held by another → HELD_BY_OTHER
///   @  take: the actor becomes the holder, a previous other holder is recorded
///   s  held by the actor already → INVALID
///   ^  supervisors and admins only: a reviewer → ROLE_NOT_ALLOWED
/// `who`: R any role, S supervisor or admin, A admin only (others: ROLE_NOT_ALLOWED).
const TABLE: &str = "
kind                  who  new                triaged            in_review          needs_info         recommended  batched      approved   paid       fulfilled  closed_denied  closed_no_damage  conflict
triage                R    triaged?           triaged?           =!                 =!                 x            x            x          x          x          x              x                 x
take                  R    in_review@         in_review@         =@s                =@s                x            x            x          x          x          x              x                 x
release               R    x                  x                  triaged!           x                  x            x            x          x          x          x              x                 x
request_info          R    x                  x                  needs_info!        x                  x            x            x          x          x          x              x                 x
info_received         R    x                  x                  x                  in_review!         x            x            x          x          x          x              x                 x
recommend             R    x                  x                  recommended!       x                  x            x            x          x          x          x              x                 x
add_note              R    =                  =                  =                  =                  =            =            =          =          =          =              =                 =
annotate              R    =r                 =r                 =r                 =r                 =r           =r           =r         x          x          x              x                 =r
add_evidence          R    =                  =                  =                  =                  =            =            =          =          =          =              =                 =
reveal_personal_data  R    =                  =                  =                  =                  =            =            =          =          =          =              =                 =
add_to_batch          S    x                  x                  x                  x                  batched      x            x          x          x          x              x                 x
remove_from_batch     S    x                  x                  x                  x                  x            recommended  x          x          x          x              x                 x
return_to_reviewer    S    x                  x                  x                  x                  in_review    in_review    x          x          x          x              x                 x
approve               S    x                  x                  x                  x                  x            approved     x          x          x          x              x                 x
mark_paid             A    x                  x                  x                  x                  x            x            paid       x          x          x              x                 x
resolve_conflict      S    x                  x                  x                  x                  x            x            x          x          x          x              x                 triaged
withdraw_note         R    =                  =                  =                  =                  =            =            =          =          =          =              =                 =
update                A    =                  =                  =                  =                  =            x            x          x          x          x              x                 =
lease                 R    =                  =                  =                  =                  =            =            =          =          =          =              =                 =
release_lease         R    =                  =                  =                  =                  =            =            =          =          =          =              =                 =
reserve_payout        A    x                  x                  x                  x                  x            x            =          x          x          x              x                 x
release_payout        A    x                  x                  x                  x                  x            x            =          x          x          x              x                 x
set_report_type       R    =?                 =?                 =!                 =!                 x            x            x          x          x          x              x                 x
close_no_damage       R    closed_no_damage?  closed_no_damage?  closed_no_damage?  closed_no_damage?  x            x            x          x          x          x              x                 x
reopen                S    x                  x                  x                  x                  x            x            x          x          x          x              triaged           x
notify                S    x                  x                  x                  =                  x            x            =          =          =          =              =                 x
check_document        R    =r                 =r                 =r                 =r                 x            x            x          x          x          x              x                 x
expire                S    x                  x                  x                  closed_denied      x            x            x          x          x          x              x                 x
reserve_fulfilment    A    x                  x                  x                  x                  x            x            =          =          x          x              x                 x
release_fulfilment    A    x                  x                  x                  x                  x            x            =          =          x          x              x                 x
mark_fulfilled        A    x                  x                  x                  x                  x            x            fulfilled  fulfilled  x          x              x                 x
";

#[derive(Debug, PartialEq)]
enum Expect {
    Refused(&'static str),
    Accepted { to: ClaimStatus, assignee: Option<String>, taken_over_from: Option<String> },
}

fn parse_table() -> Vec<(String, String, Vec<String>)> {
    let mut lines = TABLE.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().map(|l| l.split_whitespace().collect()).unwrap_or_default();
    let statuses: Vec<&str> = ClaimStatus::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(&header[2..], &statuses[..], "table columns follow ClaimStatus::ALL");
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(cells.len(), 2 + statuses.len(), "row {l}");
            (cells[0].to_string(), cells[1].to_string(), cells[2..].iter().map(|c| c.to_string()).collect())
        })
        .collect()
}

fn expectation(who: &str, cell: &str, kind: &str, role: Role, status: ClaimStatus, holder: Holder) -> Expect {
    let role_ok = match who {
        "R" => true,
        "S" => role != Role::Reviewer,
        "A" => role == Role::Admin,
        other => panic!("bad who {other}"),
    };
    if !role_ok {
        return Expect::Refused("ROLE_NOT_ALLOWED");
    }
    if cell == "x" {
        return Expect::Refused("WRONG_STATE");
    }
    let base = cell.trim_end_matches(['!', '?', 'r', '@', 's', '^']);
    let flags = &cell[base.len()..];
    if flags.contains('^') && role == Role::Reviewer {
        return Expect::Refused("ROLE_NOT_ALLOWED");
    }
    let holder_name = match holder {
        Holder::Nobody => None,
        Holder::Me => Some(ME.to_string()),
        Holder::Other => Some(OTHER.to_string()),
    };
    if flags.contains('!') {
        match holder {
            Holder::Other => return Expect::Refused("HELD_BY_OTHER"),
            Holder::Nobody => return Expect::Refused("INVALID"),
            Holder::Me => {}
        }
    }
    if flags.contains('?') && holder == Holder::Other {
        return Expect::Refused("HELD_BY_OTHER");
    }
    if flags.contains('r') && role == Role::Reviewer && holder == Holder::Other {
        return Expect::Refused("HELD_BY_OTHER");
    }
    if flags.contains('s') && holder == Holder::Me {
        return Expect::Refused("INVALID");
    }
    let to = if base == "=" {
        status
    } else {
        ClaimStatus::parse(base).unwrap_or_else(|| panic!("bad cell {cell}"))
    };
    let (assignee, taken_over_from) = if flags.contains('@') {
        (Some(ME.to_string()), if holder == Holder::Other { Some(OTHER.to_string()) } else { None })
    } else {
        let assignee = match kind {
            "release" | "resolve_conflict" | "close_no_damage" | "reopen" | "expire" => None,
            "return_to_reviewer" => Some(RECOMMENDER.to_string()),
            _ => holder_name,
        };
        (assignee, None)
    };
    Expect::Accepted { to, assignee, taken_over_from }
}

fn outcome(result: &Result<Transition, Refusal>) -> Expect {
    match result {
        Ok(t) => Expect::Accepted {
            to: t.to,
            assignee: t.assignee.clone(),
            taken_over_from: t.taken_over_from.clone(),
        },
        Err(r) => Expect::Refused(r.code()),
    }
}

#[test]
fn workflow_every_command_as_every_role_in_every_state() {
    let table = parse_table();
    let cmds = commands();
    assert_eq!(table.len(), cmds.len(), "one table row per command kind");
    let mut checked = 0;
    for ((kind, who, cells), cmd) in table.iter().zip(&cmds) {
        assert_eq!(kind, command_kind(cmd), "table rows follow commands()");
        for role in ROLES {
            for (status, cell) in ClaimStatus::ALL.iter().zip(cells) {
                for holder in HOLDERS {
                    let got = decide(&actor(ME, role, None), &claim_for(cmd, *status, holder), cmd);
                    let want = expectation(who, cell, kind, role, *status, holder);
                    assert_eq!(
                        outcome(&got),
                        want,
                        "{kind} as {role} on a {status} claim held by {holder:?}: got {got:?}"
                    );
                    if let Err(refusal) = &got {
                        let text = refusal.to_string();
                        assert!(!text.is_empty() && !text.contains('{'), "message reads well: {text}");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, ClaimAction::ALL.len() * 3 * ClaimStatus::ALL.len() * 3);
}

#[test]
fn workflow_resolve_conflict_targets() {
    use ClaimStatus as S;
    let deny =
        recommendation(RECOMMENDER, REC_OP, Decision::Deny { code: None, reason: "중복 신고".to_string() });
    for role in [Role::Supervisor, Role::Admin] {
        for holder in HOLDERS {
            for to in ClaimStatus::ALL.iter().copied() {
                let me = actor(ME, role, None);
                let c = claim(S::Conflict, holder);
                let got = decide(&me, &c, &resolve(to));
                let want = match to {
                    S::Triaged => Ok(None),
                    S::InReview | S::NeedsInfo if holder == Holder::Nobody => Err("INVALID"),
                    S::InReview | S::NeedsInfo | S::Recommended => Ok(c.assignee.clone()),
                    // The fixture's recommendation approves: it cannot close as denied.
                    _ => Err("INVALID"),
                };
                match (&got, want.clone()) {
                    (Ok(t), Ok(assignee)) => {
                        assert_eq!(t.to, to);
                        assert_eq!(t.assignee, assignee, "{to} held by {holder:?}");
                    }
                    (Err(r), Err(code)) => assert_eq!(r.code(), code, "{to} held by {holder:?}: {r}"),
                    _ => panic!("resolve to {to} as {role} held by {holder:?}: got {got:?}, want {want:?}"),
                }

                // With a deny recommendation, closing as denied is allowed to anyone but its author.
                let denied = ClaimView { recommendation: Some(deny.clone()), ..c.clone() };
                let cmd = resolve(S::ClosedDenied);
                assert_eq!(decide(&me, &denied, &cmd).map(|t| t.to), Ok(S::ClosedDenied));
                let mine = ClaimView {
                    recommendation: Some(recommendation(ME, REC_OP, deny.decision.clone())),
                    ..c
                };
                assert_eq!(decide(&me, &mine, &cmd), Err(Refusal::OwnRecommendation));
            }
        }
    }
    let no_rec = ClaimView { recommendation: None, ..claim(S::Conflict, Holder::Nobody) };
    let sup = actor(ME, Role::Supervisor, None);
    let got = decide(&sup, &no_rec, &resolve(S::Recommended));
    assert_eq!(got.map_err(|r| r.code()), Err("INVALID"));
}

// ---- maker-checker and limits ----

fn batched_with(rec: Recommendation) -> ClaimView {
    ClaimView { recommendation: Some(rec), ..claim(ClaimStatus::Batched, Holder::Nobody) }
}

fn approve(op: &str) -> ClaimCommand {
    ClaimCommand::Approve { recommendation_op: op.to_string() }
}

#[test]
fn workflow_maker_checker_refuses_own_recommendation() {
    let c = batched_with(recommendation("sam", REC_OP, cash(dec!(30000))));
    let sam = actor("sam", Role::Supervisor, None);
    let sue = actor("sue", Role::Supervisor, None);
    let root = actor("sam", Role::Admin, None);
    let refused = decide(&sam, &c, &approve(REC_OP));
    assert_eq!(refused, Err(Refusal::OwnRecommendation));
    assert_eq!(refused.map_err(|r| r.code()), Err("MAKER_CHECKER"));
    assert_eq!(decide(&root, &c, &approve(REC_OP)), Err(Refusal::OwnRecommendation), "admins too");
    let ok = decide(&sue, &c, &approve(REC_OP)).map(|t| t.to);
    assert_eq!(ok, Ok(ClaimStatus::Approved));
    assert!(!allowed_actions(&sam, &c).contains(&ClaimAction::Approve));
    assert!(allowed_actions(&sue, &c).contains(&ClaimAction::Approve));
}

#[test]
fn workflow_maker_checker_through_a_whole_review() {
    // A supervisor works a claim like a reviewer, then cannot approve it.
    let sam = actor("sam", Role::Supervisor, None);
    let sue = actor("sue", Role::Supervisor, Some(dec!(100000)));
    let mut c = ClaimView {
        status: ClaimStatus::New,
        assignee: None,
        recommendation: None,
        batch_id: None,
        proposal: Some(proposal_cash(dec!(75070))),
        reserved_for: None,
        reserved_by: None,
        report_type: Default::default(),
        cited: None,
        notified: false,
        request: None,
        requests: 0,
        as_of: None,
    };
    let apply = |c: &mut ClaimView, who: &Actor, cmd: ClaimCommand| -> Result<(), Refusal> {
        let t = decide(who, c, &cmd)?;
        c.status = t.to;
        c.assignee = t.assignee;
        c.reserved_for = t.reserved_for;
        c.reserved_by = t.reserved_by;
        if let ClaimCommand::Recommend { decision, justification } = cmd {
            c.recommendation = Some(Recommendation {
                op_id: format!("op-{}", who.user),
                by: who.user.clone(),
                decision,
                is_override: t.is_override,
                justification,
            });
        }
        Ok(())
    };
    let steps = [
        (triage(), ClaimStatus::Triaged),
        (ClaimCommand::Take, ClaimStatus::InReview),
        (request_info("통장 사본"), ClaimStatus::NeedsInfo),
        (info_received(), ClaimStatus::InReview),
        (
            ClaimCommand::Recommend { decision: cash(dec!(75070)), justification: None },
            ClaimStatus::Recommended,
        ),
        (ClaimCommand::AddToBatch { batch_id: "b1".to_string() }, ClaimStatus::Batched),
    ];
    for (cmd, want) in steps {
        assert_eq!(apply(&mut c, &sam, cmd.clone()), Ok(()), "{cmd:?}");
        assert_eq!(c.status, want);
    }
    assert_eq!(apply(&mut c, &sam, approve("op-sam")), Err(Refusal::OwnRecommendation));
    assert_eq!(apply(&mut c, &sue, approve("op-sam")), Ok(()));
    assert_eq!(c.status, ClaimStatus::Approved);
    let admin = actor("root", Role::Admin, None);
    // Paid only through a reservation for the payout being confirmed.
    assert_eq!(apply(&mut c, &admin, mark_paid()), Err(Refusal::NotReserved));
    assert_eq!(apply(&mut c, &admin, ClaimCommand::ReservePayout { payout_id: PAYOUT.to_string() }), Ok(()));
    assert_eq!(c.status, ClaimStatus::Approved);
    assert_eq!(
        apply(&mut c, &admin, ClaimCommand::ReservePayout { payout_id: "payout-2".to_string() }),
        Err(Refusal::AlreadyReserved { payout_id: PAYOUT.to_string() })
    );
    assert_eq!(
        apply(&mut c, &admin, ClaimCommand::MarkPaid { payout_id: "payout-2".to_string() }),
        Err(Refusal::NotReserved)
    );
    // Dual control: the admin who reserved it (exported the file) does not confirm it.
    assert_eq!(apply(&mut c, &admin, mark_paid()), Err(Refusal::OwnExport));
    assert_eq!(Refusal::OwnExport.code(), "DUAL_CONTROL");
    let other_admin = actor("ada", Role::Admin, None);
    assert_eq!(apply(&mut c, &other_admin, mark_paid()), Ok(()));
    assert_eq!(c.status, ClaimStatus::Paid);
    assert_eq!(c.reserved_by, None, "a paid claim holds no reservation");
    assert_eq!(
        allowed_actions(&admin, &c),
        vec![
            ClaimAction::AddNote,
            ClaimAction::WithdrawNote,
            ClaimAction::AddEvidence,
            ClaimAction::RevealPersonalData,
            ClaimAction::Lease,
            ClaimAction::ReleaseLease,
            // The claimant has not been told yet.
            ClaimAction::Notify
        ]
    );
}

#[test]
fn workflow_approval_limits() {
    let c = batched_with(recommendation(RECOMMENDER, REC_OP, cash(dec!(500000))));
    let at = actor(ME, Role::Supervisor, Some(dec!(500000)));
    let below = actor(ME, Role::Supervisor, Some(dec!(499999)));
    let unlimited = actor(ME, Role::Supervisor, None);
    assert_eq!(decide(&at, &c, &approve(REC_OP)).map(|t| t.to), Ok(ClaimStatus::Approved), "at the limit");
    let refused = decide(&below, &c, &approve(REC_OP));
    assert_eq!(refused, Err(Refusal::OverApprovalLimit { amount: dec!(500000), limit: dec!(499999) }));
    let text = refused.clone().err().map(|r| r.to_string()).unwrap_or_default();
    assert_eq!(
        text,
        "The amount 500,000 won is above your approval limit of 499,999 won; a supervisor with a higher limit must approve it."
    );
    let ko =
        crate::message::Explain::message(&refused.expect_err("refused")).render(crate::message::Lang::Ko);
    assert_eq!(
        ko,
        "금액 500,000원이 승인 한도 499,999원을 넘습니다. 한도가 더 높은 책임자가 승인해야 합니다."
    );
    let huge = batched_with(recommendation(RECOMMENDER, REC_OP, cash(dec!(5000000000))));
    assert_eq!(decide(&unlimited, &huge, &approve(REC_OP)).map(|t| t.to), Ok(ClaimStatus::Approved));
    // Admins are bound by their limit too; a limit of 0 still approves 0-won vouchers and denials.
    let admin0 = actor("root", Role::Admin, Some(dec!(0)));
    assert_eq!(decide(&admin0, &c, &approve(REC_OP)).map_err(|r| r.code()), Err("OVER_APPROVAL_LIMIT"));
    let voucher = batched_with(recommendation(
        RECOMMENDER,
        REC_OP,
        Decision::Approve { remedy: Remedy::Voucher, amount: dec!(0), extension_days: 0, grants: Vec::new() },
    ));
    assert_eq!(decide(&admin0, &voucher, &approve(REC_OP)).map(|t| t.to), Ok(ClaimStatus::Approved));
    let deny = batched_with(recommendation(
        RECOMMENDER,
        REC_OP,
        Decision::Deny { code: None, reason: "기간 외".to_string() },
    ));
    assert_eq!(decide(&admin0, &deny, &approve(REC_OP)).map(|t| t.to), Ok(ClaimStatus::ClosedDenied));
    assert!(!allowed_actions(&below, &c).contains(&ClaimAction::Approve));
    assert!(allowed_actions(&at, &c).contains(&ClaimAction::Approve));
}

#[test]
fn workflow_superseded_recommendation_is_refused() {
    let c = batched_with(recommendation(RECOMMENDER, "op-new", cash(dec!(1000))));
    let sup = actor(ME, Role::Supervisor, None);
    assert_eq!(decide(&sup, &c, &approve("op-old")), Err(Refusal::RecommendationSuperseded));
    assert_eq!(decide(&sup, &c, &approve("")), Err(Refusal::RecommendationSuperseded));
    assert!(decide(&sup, &c, &approve("op-new")).is_ok());
    // Superseded is said before maker-checker: the approval names something else.
    let own = batched_with(recommendation(ME, "op-new", cash(dec!(1000))));
    assert_eq!(decide(&sup, &own, &approve("op-old")), Err(Refusal::RecommendationSuperseded));
    let none = ClaimView { recommendation: None, ..c };
    assert_eq!(decide(&sup, &none, &approve("op-new")).map_err(|r| r.code()), Err("INVALID"));
}

// ---- recommendations ----

fn in_review_mine(proposal: Option<PolicyProposal>) -> ClaimView {
    ClaimView { recommendation: None, proposal, ..claim(ClaimStatus::InReview, Holder::Me) }
}

fn recommend(decision: Decision, justification: Option<&str>) -> ClaimCommand {
    ClaimCommand::Recommend { decision, justification: justification.map(str::to_string) }
}

#[test]
fn workflow_override_detection() {
    let extension = PolicyProposal {
        eligible: true,
        remedy: Remedy::Extension,
        amount: dec!(0),
        extension_days: 3,
        grants: Vec::new(),
    };
    let manual = PolicyProposal {
        eligible: true,
        remedy: Remedy::ManualReview,
        amount: dec!(0),
        extension_days: 0,
        grants: Vec::new(),
    };
    let ext = |days| Decision::Approve {
        remedy: Remedy::Extension,
        amount: dec!(0),
        extension_days: days,
        grants: Vec::new(),
    };
    let deny = Decision::Deny { code: None, reason: "증빙 없음".to_string() };
    let cases: Vec<(Option<PolicyProposal>, Decision, bool)> = vec![
        (Some(proposal_cash(dec!(25000))), cash(dec!(25000)), false),
        (Some(proposal_cash(dec!(25000))), cash(dec!(25000.00)), false),
        (Some(proposal_cash(dec!(25000))), cash(dec!(25010)), true),
        (Some(proposal_cash(dec!(25000))), deny.clone(), true),
        (
            Some(proposal_cash(dec!(0))),
            Decision::Approve {
                remedy: Remedy::Voucher,
                amount: dec!(0),
                extension_days: 0,
                grants: Vec::new(),
            },
            true,
        ),
        (Some(extension.clone()), ext(3), false),
        (Some(extension.clone()), ext(4), true),
        (Some(ineligible()), deny.clone(), false),
        (Some(ineligible()), cash(dec!(0)), true),
        (Some(PolicyProposal { eligible: false, ..proposal_cash(dec!(25000)) }), cash(dec!(25000)), true),
        (Some(manual.clone()), cash(dec!(100000)), true),
        (Some(manual), deny.clone(), true),
        (None, cash(dec!(1)), true),
        (None, deny, true),
    ];
    for (proposal, decision, want) in cases {
        let c = in_review_mine(proposal.clone());
        let justified =
            decide(&actor(ME, Role::Reviewer, None), &c, &recommend(decision.clone(), Some("확인함")));
        assert_eq!(justified.as_ref().map(|t| t.is_override), Ok(want), "{decision:?} vs {proposal:?}");
        assert_eq!(justified.as_ref().map(|t| t.to), Ok(ClaimStatus::Recommended));
        for blank in [None, Some(""), Some("  \n")] {
            let got = decide(&actor(ME, Role::Reviewer, None), &c, &recommend(decision.clone(), blank));
            if want {
                assert_eq!(got, Err(Refusal::OverrideNeedsJustification), "{decision:?} vs {proposal:?}");
            } else {
                assert_eq!(got.map(|t| t.is_override), Ok(false));
            }
        }
    }
}

#[test]
fn workflow_recommendation_content_is_checked() {
    let c = in_review_mine(Some(ineligible()));
    let me = actor(ME, Role::Reviewer, None);
    let invalid = [
        cash(dec!(-10)),
        cash(dec!(100.5)),
        Decision::Approve { remedy: Remedy::Cash, amount: dec!(1000), extension_days: 2, grants: Vec::new() },
        Decision::Approve {
            remedy: Remedy::Extension,
            amount: dec!(0),
            extension_days: 0,
            grants: Vec::new(),
        },
        Decision::Approve {
            remedy: Remedy::ManualReview,
            amount: dec!(0),
            extension_days: 0,
            grants: Vec::new(),
        },
        Decision::Approve { remedy: Remedy::None, amount: dec!(0), extension_days: 0, grants: Vec::new() },
        Decision::Deny { code: None, reason: "   ".to_string() },
    ];
    for d in invalid {
        let got = decide(&me, &c, &recommend(d.clone(), Some("사유")));
        assert_eq!(got.as_ref().map_err(|r| r.code()), Err("INVALID"), "{d:?}");
        let text = got.err().map(|r| r.to_string()).unwrap_or_default();
        assert!(text.len() > 20, "a clear message: {text}");
    }
    for d in [
        cash(dec!(0)),
        cash(dec!(1)),
        Decision::Approve {
            remedy: Remedy::Extension,
            amount: dec!(0),
            extension_days: 1,
            grants: Vec::new(),
        },
    ] {
        assert!(decide(&me, &c, &recommend(d.clone(), Some("사유"))).is_ok(), "{d:?}");
    }
    // The holder check comes before the content check.
    let held = ClaimView { assignee: Some(OTHER.to_string()), ..c };
    let got = decide(&me, &held, &recommend(cash(dec!(-1)), None));
    assert_eq!(got, Err(Refusal::HeldByOther { holder: OTHER.to_string() }));
}

#[test]
fn workflow_texts_must_not_be_blank() {
    let me = actor(ME, Role::Supervisor, None);
    let in_review = claim(ClaimStatus::InReview, Holder::Me);
    let recommended = claim(ClaimStatus::Recommended, Holder::Nobody);
    let cases = [
        (&in_review, request_info(" ")),
        (&recommended, ClaimCommand::ReturnToReviewer { comment: "\t".to_string() }),
        (&recommended, ClaimCommand::AddToBatch { batch_id: String::new() }),
    ];
    for (c, cmd) in cases {
        assert_eq!(decide(&me, c, &cmd).map_err(|r| r.code()), Err("INVALID"), "{cmd:?}");
    }
}

// ---- holding ----

#[test]
fn workflow_take_over_is_recorded() {
    for status in [ClaimStatus::InReview, ClaimStatus::NeedsInfo] {
        for role in ROLES {
            let me = actor(ME, role, None);
            let t = decide(&me, &claim(status, Holder::Other), &ClaimCommand::Take);
            let want = Transition {
                to: status,
                assignee: Some(ME.to_string()),
                taken_over_from: Some(OTHER.to_string()),
                is_override: false,
                reserved_for: None,
                reserved_by: None,
            };
            assert_eq!(t, Ok(want));
            let again = decide(&me, &claim(status, Holder::Me), &ClaimCommand::Take);
            assert_eq!(again, Err(Refusal::Invalid(crate::msg!("invalid.already_held"))));
            // Without taking it over, the holder's work is closed to everyone else.
            let other_work = decide(&me, &claim(status, Holder::Other), &triage());
            assert_eq!(other_work, Err(Refusal::HeldByOther { holder: OTHER.to_string() }));
        }
    }
    let fresh = decide(
        &actor(ME, Role::Reviewer, None),
        &claim(ClaimStatus::Triaged, Holder::Nobody),
        &ClaimCommand::Take,
    );
    assert_eq!(fresh.map(|t| (t.to, t.taken_over_from)), Ok((ClaimStatus::InReview, None)));
    let msg = Refusal::HeldByOther { holder: OTHER.to_string() }.to_string();
    assert!(msg.contains(OTHER) && msg.contains("take it over"), "{msg}");
}

#[test]
fn workflow_return_goes_to_the_recommending_reviewer() {
    let sup = actor(ME, Role::Supervisor, None);
    for status in [ClaimStatus::Recommended, ClaimStatus::Batched] {
        let c = claim(status, Holder::Other);
        let t = decide(&sup, &c, &ClaimCommand::ReturnToReviewer { comment: "소득 확인".to_string() });
        assert_eq!(t.map(|t| (t.to, t.assignee)), Ok((ClaimStatus::InReview, Some(RECOMMENDER.to_string()))));
    }
}

// ---- payout ----

#[test]
fn workflow_mark_paid_only_for_cash() {
    let admin = actor("root", Role::Admin, None);
    let approved = |decision| ClaimView {
        recommendation: Some(recommendation(RECOMMENDER, REC_OP, decision)),
        ..claim(ClaimStatus::Approved, Holder::Nobody)
    };
    let reserved = |decision| ClaimView { reserved_for: Some(PAYOUT.to_string()), ..approved(decision) };
    let paid = decide(&admin, &reserved(cash(dec!(30000))), &mark_paid());
    assert_eq!(paid.map(|t| t.to), Ok(ClaimStatus::Paid));
    let voucher =
        Decision::Approve { remedy: Remedy::Voucher, amount: dec!(0), extension_days: 0, grants: Vec::new() };
    let ext = Decision::Approve {
        remedy: Remedy::Extension,
        amount: dec!(0),
        extension_days: 3,
        grants: Vec::new(),
    };
    for d in [voucher, ext] {
        let got = decide(&admin, &reserved(d.clone()), &mark_paid());
        assert_eq!(got.as_ref().map_err(|r| r.code()), Err("INVALID"), "{d:?}");
        let text = got.err().map(|r| r.to_string()).unwrap_or_default();
        assert!(text.contains("Only cash"), "{text}");
        assert!(!allowed_actions(&admin, &reserved(d.clone())).contains(&ClaimAction::MarkPaid));
        let reserve =
            decide(&admin, &approved(d), &ClaimCommand::ReservePayout { payout_id: PAYOUT.to_string() });
        assert_eq!(reserve.map_err(|r| r.code()), Err("INVALID"), "only cash is reserved for a payout");
    }
    // Never paid twice.
    let twice = decide(&admin, &claim(ClaimStatus::Paid, Holder::Nobody), &mark_paid());
    assert_eq!(twice.map_err(|r| r.code()), Err("WRONG_STATE"));
    let sup = decide(&actor(ME, Role::Supervisor, None), &reserved(cash(dec!(1))), &mark_paid());
    assert_eq!(sup.map_err(|r| r.code()), Err("ROLE_NOT_ALLOWED"));
}

// ---- messages and admin actions ----

#[test]
fn workflow_messages_read_well() {
    use crate::message::{Explain, Lang};
    let admin_refusal = Refusal::RoleNotAllowed { role: Role::Reviewer, action: "approve".to_string() };
    assert_eq!(admin_refusal.to_string(), "Your role (Reviewer) may not approve claims.");
    assert_eq!(admin_refusal.message().render(Lang::Ko), "심사자 역할로는 할 수 없는 작업입니다: 신고 승인.");
    let state =
        decide(&actor(ME, Role::Reviewer, None), &claim(ClaimStatus::InReview, Holder::Me), &info_received());
    let state = state.expect_err("refused");
    assert_eq!(state.to_string(), "Cannot mark information received on a claim in the state “In review”.");
    assert_eq!(
        state.message().render(Lang::Ko),
        "‘심사 중’ 상태의 신고에는 할 수 없는 작업입니다: 보완 접수."
    );
    let batched = decide(
        &actor(ME, Role::Reviewer, None),
        &claim(ClaimStatus::Batched, Holder::Nobody),
        &ClaimCommand::Take,
    );
    assert_eq!(
        batched.err().map(|r| r.to_string()),
        Some("Cannot take a claim in the state “Batched”.".to_string())
    );
    let own = Refusal::OwnRecommendation.message().render(Lang::Ko);
    assert!(own.contains("다른 책임자가 승인"), "{own}");
    use crate::message::won;
    assert_eq!(won(&dec!(1234567.50)), "1234567.5");
    assert_eq!(won(&dec!(1234567.00)), "1,234,567");
    assert_eq!(won(&dec!(-1000)), "-1,000");
    assert_eq!(won(&dec!(999)), "999");
}

#[test]
fn workflow_may_admin_actions() {
    use AdminAction as A;
    let all = [
        A::ManageUsers,
        A::EditCatalog,
        A::ImportIntake,
        A::ExportPayout,
        A::CreateBatch,
        A::EditPolicy,
        A::ActivatePolicy,
        A::ViewAudit,
        A::ManageIncidents,
        A::ExportStatusFeed,
        A::ExportReports,
        A::ViewQuarantine,
        A::SendNotices,
    ];
    let supervisor = [
        A::CreateBatch,
        A::EditPolicy,
        A::ActivatePolicy,
        A::ViewAudit,
        A::ManageIncidents,
        A::ExportStatusFeed,
        A::ExportReports,
        A::SendNotices,
    ];
    for action in all {
        assert_eq!(may(Role::Reviewer, action).map_err(|r| r.code()), Err("ROLE_NOT_ALLOWED"), "{action:?}");
        assert_eq!(may(Role::Supervisor, action).is_ok(), supervisor.contains(&action), "{action:?}");
        assert_eq!(may(Role::Admin, action), Ok(()), "{action:?}");
    }
    let text = may(Role::Supervisor, A::ManageUsers).err().map(|r| r.to_string()).unwrap_or_default();
    assert_eq!(text, "Your role (Supervisor) may not manage users, roles and approval limits.");
}

// ---- allowed_actions agrees with decide ----

/// Commands of each kind as a UI would send them, built here apart from the module.
fn ui_commands(claim: &ClaimView) -> Vec<ClaimCommand> {
    let op = claim.recommendation.as_ref().map(|r| r.op_id.clone()).unwrap_or_else(|| "none".to_string());
    let mut cmds = commands();
    for cmd in &mut cmds {
        match cmd {
            ClaimCommand::Approve { recommendation_op } => *recommendation_op = op.clone(),
            ClaimCommand::Recommend { justification, .. } => *justification = Some("검토 의견".to_string()),
            // The app asks for a further request once the claim had one.
            ClaimCommand::RequestInfo { another, .. } => *another = claim.requests > 0,
            ClaimCommand::MarkPaid { payout_id } | ClaimCommand::ReleasePayout { payout_id } => {
                *payout_id = claim.reserved_for.clone().unwrap_or_else(|| PAYOUT.to_string())
            }
            _ => {}
        }
    }
    cmds
}

/// The claim as an expiry's stamp shows it: NOT_CURED cited by the policy in force.
fn stamped(c: &ClaimView, cmd: &ClaimCommand) -> ClaimView {
    match cmd {
        ClaimCommand::Expire { .. } => ClaimView { cited: Some(not_cured(None)), ..c.clone() },
        _ => c.clone(),
    }
}

fn check_allowed_matches_decide(me: &Actor, c: &ClaimView) {
    let allowed = allowed_actions(me, c);
    for cmd in ui_commands(c) {
        let kind = cmd.action();
        let result = decide(me, &stamped(c, &cmd), &cmd);
        assert_eq!(allowed.contains(&kind), result.is_ok(), "{kind} for {me:?} on {c:?}: {result:?}");
    }
}

#[test]
fn workflow_allowed_actions_match_decide_everywhere() {
    let recs = [
        None,
        Some(recommendation(RECOMMENDER, REC_OP, cash(dec!(50000)))),
        Some(recommendation(ME, REC_OP, cash(dec!(50000)))),
        Some(recommendation(RECOMMENDER, REC_OP, cash(dec!(2000000)))),
        Some(recommendation(RECOMMENDER, REC_OP, Decision::Deny { code: None, reason: "중복".to_string() })),
        Some(recommendation(
            RECOMMENDER,
            REC_OP,
            Decision::Approve {
                remedy: Remedy::Voucher,
                amount: dec!(0),
                extension_days: 0,
                grants: Vec::new(),
            },
        )),
    ];
    for role in ROLES {
        for limit in [None, Some(dec!(1000000))] {
            let me = actor(ME, role, limit);
            for status in ClaimStatus::ALL.iter().copied() {
                for holder in HOLDERS {
                    for rec in &recs {
                        let c = ClaimView { recommendation: rec.clone(), ..claim(status, holder) };
                        check_allowed_matches_decide(&me, &c);
                    }
                }
            }
        }
    }
}

// ---- properties ----

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), Just("  ".to_string()), Just("사유".to_string()), Just("x".to_string())]
}

fn arb_user() -> impl Strategy<Value = String> {
    prop_oneof![Just(ME.to_string()), Just(OTHER.to_string()), Just(RECOMMENDER.to_string())]
}

fn arb_status() -> impl Strategy<Value = ClaimStatus> {
    proptest::sample::select(ClaimStatus::ALL.to_vec())
}

fn arb_remedy() -> impl Strategy<Value = Remedy> {
    proptest::sample::select(Remedy::ALL.to_vec())
}

fn arb_amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(dec!(0)),
        Just(dec!(50000)),
        Just(dec!(-5)),
        Just(dec!(10.5)),
        (0i64..3_000_000).prop_map(Decimal::from),
    ]
}

fn arb_decision() -> impl Strategy<Value = Decision> {
    prop_oneof![
        (arb_remedy(), arb_amount(), 0u32..4).prop_map(|(remedy, amount, extension_days)| {
            Decision::Approve { remedy, amount, extension_days, grants: Vec::new() }
        }),
        arb_text().prop_map(|reason| Decision::Deny { code: None, reason }),
    ]
}

fn arb_claim() -> impl Strategy<Value = ClaimView> {
    let rec = (arb_user(), prop_oneof![Just("op-1"), Just("op-2")], arb_decision())
        .prop_map(|(by, op, decision)| recommendation(&by, op, decision));
    let proposal = (any::<bool>(), arb_remedy(), arb_amount(), 0u32..4).prop_map(
        |(eligible, remedy, amount, extension_days)| PolicyProposal {
            eligible,
            remedy,
            amount,
            extension_days,
            grants: Vec::new(),
        },
    );
    (
        arb_status(),
        proptest::option::of(arb_user()),
        proptest::option::of(rec),
        proptest::option::of(proposal),
        proptest::option::of((Just(PAYOUT.to_string()), proptest::option::of(arb_user()))),
        (0u32..3, proptest::option::of(0u32..60), any::<bool>()),
    )
        .prop_map(|(status, assignee, recommendation, proposal, reserved, (requests, today, cites))| {
            // A request of 30 Jan due 4 Mar, seen some days after it.
            let asked = day(2023, 1, 30);
            ClaimView {
                status,
                assignee,
                recommendation,
                batch_id: None,
                proposal,
                reserved_for: reserved.as_ref().map(|(payout, _)| payout.clone()),
                reserved_by: reserved.and_then(|(_, by)| by),
                report_type: Default::default(),
                cited: cites.then(|| not_cured(None)),
                notified: false,
                request: (requests > 0).then(|| OpenRequest { requested_on: asked, due_on: day(2023, 3, 4) }),
                requests,
                as_of: today.map(|d| asked + chrono::Days::new(u64::from(d) + 10)),
            }
        })
}

fn arb_actor() -> impl Strategy<Value = Actor> {
    (
        arb_user(),
        proptest::sample::select(ROLES.to_vec()),
        proptest::option::of((0i64..3_000_000).prop_map(Decimal::from)),
    )
        .prop_map(|(user, role, limit)| actor(&user, role, limit))
}

fn arb_command() -> impl Strategy<Value = ClaimCommand> {
    prop_oneof![
        Just(triage()),
        Just(ClaimCommand::Take),
        Just(ClaimCommand::Release),
        (arb_text(), any::<bool>()).prop_map(|(message, another)| ClaimCommand::RequestInfo {
            code: None,
            message,
            due_on: None,
            another
        }),
        Just(ClaimCommand::Expire { note: String::new() }),
        Just(info_received()),
        (arb_decision(), proptest::option::of(arb_text()))
            .prop_map(|(decision, justification)| ClaimCommand::Recommend { decision, justification }),
        arb_text().prop_map(|body| ClaimCommand::AddNote { body }),
        Just(ClaimCommand::Annotate { priority: None, tags: None }),
        Just(evidence()),
        Just(ClaimCommand::RevealPersonalData { field: PersonalField::AccountNo }),
        arb_text().prop_map(|batch_id| ClaimCommand::AddToBatch { batch_id }),
        Just(ClaimCommand::RemoveFromBatch),
        arb_text().prop_map(|comment| ClaimCommand::ReturnToReviewer { comment }),
        prop_oneof![Just("op-1"), Just("op-2")]
            .prop_map(|op| ClaimCommand::Approve { recommendation_op: op.to_string() }),
        Just(mark_paid()),
        Just(ClaimCommand::ReservePayout { payout_id: PAYOUT.to_string() }),
        arb_status().prop_map(resolve),
    ]
}

/// The lifecycle of domain.md as (from, to) edges a status move may take.
fn lifecycle_edge(from: ClaimStatus, to: ClaimStatus) -> bool {
    use ClaimStatus as S;
    matches!(
        (from, to),
        (S::New, S::Triaged)
            | (S::Triaged, S::Triaged)
            | (S::New | S::Triaged, S::InReview)
            | (S::InReview, S::Triaged | S::NeedsInfo | S::Recommended)
            | (S::NeedsInfo, S::InReview | S::ClosedDenied)
            | (S::Recommended, S::Batched | S::InReview)
            | (S::Batched, S::Recommended | S::InReview | S::Approved | S::ClosedDenied)
            | (S::Approved, S::Paid)
            | (S::Conflict, S::Triaged | S::InReview | S::NeedsInfo | S::Recommended | S::ClosedDenied)
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn workflow_prop_allowed_actions_match_decide(me in arb_actor(), c in arb_claim()) {
        let allowed = allowed_actions(&me, &c);
        for cmd in ui_commands(&c) {
            let kind = cmd.action();
            prop_assert_eq!(allowed.contains(&kind), decide(&me, &stamped(&c, &cmd), &cmd).is_ok(), "{} for {:?} on {:?}", kind, me, c);
        }
    }

    #[test]
    fn workflow_prop_decisions_keep_the_rules(me in arb_actor(), c in arb_claim(), cmd in arb_command()) {
        let kind = command_kind(&cmd);
        match decide(&me, &c, &cmd) {
            Err(refusal) => {
                let text = refusal.to_string();
                prop_assert!(!text.trim().is_empty() && !text.contains('{') && !text.contains("a admin"), "{}", text);
                // A refused command changes nothing, so a retry with the same inputs is refused the same way.
                prop_assert_eq!(decide(&me, &c, &cmd), Err(refusal));
            }
            Ok(t) => {
                if t.to != c.status {
                    prop_assert!(lifecycle_edge(c.status, t.to), "{} moved {} → {}", kind, c.status, t.to);
                }
                if matches!(c.status, ClaimStatus::Paid | ClaimStatus::ClosedDenied) {
                    prop_assert!(["add_note", "add_evidence", "reveal_personal_data"].contains(&kind), "{} on a final claim", kind);
                }
                if me.role == Role::Reviewer {
                    prop_assert!(!["add_to_batch", "remove_from_batch", "return_to_reviewer", "approve", "mark_paid", "resolve_conflict"].contains(&kind));
                }
                if me.role != Role::Admin {
                    prop_assert_ne!(kind, "mark_paid");
                }
                if let ClaimCommand::Approve { recommendation_op } = &cmd {
                    let rec = c.recommendation.as_ref();
                    prop_assert!(rec.is_some_and(|r| r.by != me.user && r.op_id == *recommendation_op));
                    if let (Some(Decision::Approve { amount, .. }), Some(limit)) = (rec.map(|r| &r.decision), me.approval_limit) {
                        prop_assert!(*amount <= limit);
                    }
                }
                // Another person's held claim is only changed by a take-over or a supervisor's own steps.
                let held_by_other = c.assignee.as_ref().is_some_and(|h| *h != me.user);
                if held_by_other && ["triage", "release", "request_info", "info_received", "recommend"].contains(&kind) {
                    prop_assert!(false, "{} on a claim held by {:?}", kind, c.assignee);
                }
                if kind == "take" {
                    prop_assert_eq!(t.assignee.as_deref(), Some(me.user.as_str()));
                    prop_assert_eq!(t.taken_over_from.clone(), c.assignee.clone().filter(|h| *h != me.user));
                } else {
                    prop_assert_eq!(t.taken_over_from, None);
                }
                if t.is_override {
                    prop_assert_eq!(kind, "recommend");
                }
                if let ClaimCommand::Recommend { justification, .. } = &cmd {
                    if t.is_override {
                        prop_assert!(justification.as_deref().is_some_and(|j| !j.trim().is_empty()));
                    }
                }
            }
        }
    }
}

/// The catalog entry a stamp carries for `code` of `kind` (as the policy in force had it).
fn cited(kind: ReasonKind, code: &str) -> CitedReason {
    CitedReason {
        code: code.to_string(),
        kind,
        ko: "사유".to_string(),
        en: "reason".to_string(),
        appealable: true,
        policy_version: Some(1),
        cure: None,
    }
}

fn closure(code: &str) -> CitedReason {
    cited(ReasonKind::Closure, code)
}

fn coded_deny(code: &str) -> ClaimCommand {
    ClaimCommand::Recommend {
        decision: Decision::Deny { code: Some(code.to_string()), reason: String::new() },
        justification: Some("정책과 다름".to_string()),
    }
}

#[test]
fn a_denial_or_request_must_cite_a_code_the_policy_in_force_has() {
    let me = actor(ME, Role::Reviewer, None);
    let mine = claim(ClaimStatus::InReview, Holder::Me);
    let code = |r: Result<Transition, Refusal>| r.map(|t| t.to).map_err(|e| e.code());
    // The stamp names the code as a denial of the policy in force: allowed.
    let found = ClaimView { cited: Some(cited(ReasonKind::Denial, "NO_LOSS_SHOWN")), ..mine.clone() };
    assert_eq!(code(decide(&me, &found, &coded_deny("NO_LOSS_SHOWN"))), Ok(ClaimStatus::Recommended));
    // Not found (no entry), another code, or a code of another kind: UNKNOWN_REASON.
    assert_eq!(code(decide(&me, &mine, &coded_deny("MADE_UP"))), Err("UNKNOWN_REASON"));
    assert_eq!(code(decide(&me, &found, &coded_deny("DUPLICATE"))), Err("UNKNOWN_REASON"));
    let deficiency =
        ClaimView { cited: Some(cited(ReasonKind::Deficiency, "NO_LOSS_SHOWN")), ..mine.clone() };
    assert_eq!(code(decide(&me, &deficiency, &coded_deny("NO_LOSS_SHOWN"))), Err("UNKNOWN_REASON"));
    let refusal = decide(&me, &mine, &coded_deny("MADE_UP")).expect_err("unknown");
    assert!(
        refusal.to_string().contains("MADE_UP") && refusal.to_string().contains("denial reason"),
        "{refusal}"
    );
    assert!(refusal.message().render(Lang::Ko).contains("기각 사유"), "{:?}", refusal.message());

    let request = |c: Option<&str>, m: &str| ClaimCommand::RequestInfo {
        code: c.map(str::to_string),
        message: m.into(),
        due_on: None,
        another: false,
    };
    let asked = ClaimView { cited: Some(cited(ReasonKind::Deficiency, "DOCUMENTS_MISSING")), ..mine.clone() };
    assert_eq!(
        code(decide(&me, &asked, &request(Some("DOCUMENTS_MISSING"), ""))),
        Ok(ClaimStatus::NeedsInfo)
    );
    assert_eq!(code(decide(&me, &mine, &request(Some("DOCUMENTS_MISSING"), "통장"))), Err("UNKNOWN_REASON"));

    // Made before coded reasons: the fold still accepts them (a non-blank text)...
    let legacy_deny = ClaimCommand::Recommend {
        decision: Decision::Deny { code: None, reason: "피해 없음".into() },
        justification: Some("x".into()),
    };
    assert_eq!(code(decide(&me, &mine, &legacy_deny)), Ok(ClaimStatus::Recommended));
    assert_eq!(code(decide(&me, &mine, &request(None, "영수증"))), Ok(ClaimStatus::NeedsInfo));
    // ... but nothing made now may leave the code out.
    assert_eq!(check_new(&legacy_deny).map_err(|e| e.code()), Err("REASON_REQUIRED"));
    assert_eq!(check_new(&request(None, "영수증")).map_err(|e| e.code()), Err("REASON_REQUIRED"));
    assert_eq!(check_new(&coded_deny("NO_LOSS_SHOWN")), Ok(()));
    assert_eq!(check_new(&ClaimCommand::Take), Ok(()));
}

#[test]
fn only_an_open_non_damage_report_is_closed_and_only_with_a_reply_of_the_catalog() {
    use ClaimStatus as S;
    let me = actor(ME, Role::Reviewer, None);
    let close =
        ClaimCommand::CloseNoDamage { reply: "INQUIRY_ANSWERED".into(), note: "전화 안내".into() };
    let inquiry = |status, holder| ClaimView {
        report_type: ReportType::Inquiry,
        cited: Some(closure("INQUIRY_ANSWERED")),
        ..claim(status, holder)
    };
    let t = decide(&me, &inquiry(S::Triaged, Holder::Nobody), &close).expect("closed");
    assert_eq!((t.to, t.assignee), (S::ClosedNoDamage, None));
    // A damage claim is decided, never closed this way.
    let damage = ClaimView { report_type: ReportType::DamageClaim, ..inquiry(S::Triaged, Holder::Nobody) };
    let refusal = decide(&me, &damage, &close).expect_err("damage claim");
    assert_eq!(refusal.code(), "DAMAGE_CLAIM");
    assert!(refusal.message().render(Lang::Ko).contains("피해 신고"), "{:?}", refusal.message());
    // Decided, paid or closed already: the state refuses it.
    for status in
        [S::Recommended, S::Batched, S::Approved, S::Paid, S::ClosedDenied, S::ClosedNoDamage, S::Conflict]
    {
        assert_eq!(
            decide(&me, &inquiry(status, Holder::Nobody), &close).map_err(|e| e.code()).err(),
            Some("WRONG_STATE"),
            "{status}"
        );
    }
    // Another's claim, or a reply the policy does not have.
    assert_eq!(
        decide(&me, &inquiry(S::InReview, Holder::Other), &close).map_err(|e| e.code()).err(),
        Some("HELD_BY_OTHER")
    );
    let no_reply = ClaimView { cited: None, ..inquiry(S::Triaged, Holder::Nobody) };
    assert_eq!(decide(&me, &no_reply, &close).map_err(|e| e.code()).err(), Some("UNKNOWN_REASON"));
    let denial_code = ClaimView { cited: Some(cited(ReasonKind::Denial, "INQUIRY_ANSWERED")), ..no_reply };
    assert_eq!(decide(&me, &denial_code, &close).map_err(|e| e.code()).err(), Some("UNKNOWN_REASON"));
    // A non-damage report is not recommended for a decision.
    let rec = ClaimCommand::Recommend { decision: cash(dec!(50000)), justification: None };
    assert_eq!(
        decide(&me, &inquiry(S::InReview, Holder::Me), &rec).map_err(|e| e.code()).err(),
        Some("INVALID")
    );
    // The buttons follow.
    assert!(allowed_actions(&me, &inquiry(S::Triaged, Holder::Nobody)).contains(&ClaimAction::CloseNoDamage));
    assert!(!allowed_actions(&me, &claim(S::Triaged, Holder::Nobody)).contains(&ClaimAction::CloseNoDamage));
    assert!(!allowed_actions(&me, &inquiry(S::InReview, Holder::Me)).contains(&ClaimAction::Recommend));
}

#[test]
fn a_closed_report_is_reopened_as_a_damage_claim_by_a_supervisor_only() {
    use ClaimStatus as S;
    let closed = ClaimView {
        report_type: ReportType::Opinion,
        assignee: None,
        ..claim(S::ClosedNoDamage, Holder::Nobody)
    };
    let to = |t: ReportType| ClaimCommand::SetReportType { report_type: t };
    let reviewer = actor(ME, Role::Reviewer, None);
    // A reviewer may neither reopen it nor change the type of a closed report.
    let refusal = decide(&reviewer, &closed, &ClaimCommand::Reopen).expect_err("reviewer");
    assert_eq!(refusal.code(), "ROLE_NOT_ALLOWED");
    assert!(refusal.message().render(Lang::Ko).contains("다시 열기"), "{:?}", refusal.message());
    assert_eq!(
        decide(&reviewer, &closed, &to(ReportType::DamageClaim)).map_err(|e| e.code()).err(),
        Some("WRONG_STATE")
    );
    assert!(!allowed_actions(&reviewer, &closed).contains(&ClaimAction::Reopen));
    let supervisor = actor(OTHER, Role::Supervisor, None);
    let t = decide(&supervisor, &closed, &ClaimCommand::Reopen).expect("reopened");
    assert_eq!((t.to, t.assignee), (S::Triaged, None));
    assert!(allowed_actions(&supervisor, &closed).contains(&ClaimAction::Reopen));
    // While open, the type is triage work: anyone on an unheld claim, the holder in review.
    assert_eq!(
        decide(&reviewer, &claim(S::New, Holder::Nobody), &to(ReportType::Inquiry)).map(|t| t.to),
        Ok(S::New)
    );
    assert_eq!(
        decide(&reviewer, &claim(S::InReview, Holder::Other), &to(ReportType::Inquiry))
            .map_err(|e| e.code())
            .err(),
        Some("HELD_BY_OTHER")
    );
    // Once decided, it stays what it was decided as.
    for status in [S::Recommended, S::Batched, S::Approved, S::Paid, S::ClosedDenied] {
        assert_eq!(
            decide(&supervisor, &claim(status, Holder::Nobody), &to(ReportType::Inquiry))
                .map_err(|e| e.code())
                .err(),
            Some("WRONG_STATE"),
            "{status}"
        );
    }
}

#[test]
fn a_notice_goes_once_per_decision_and_only_once_one_is_made() {
    use ClaimStatus as S;
    let supervisor = actor(ME, Role::Supervisor, None);
    let reviewer = actor(OTHER, Role::Reviewer, None);
    let notify = |resend: bool| ClaimCommand::Notify {
        channels: vec![NoticeChannel::Pdf, NoticeChannel::Email],
        lang: crate::message::Lang::En,
        resend,
    };
    // Nothing is decided yet: there is nothing to tell the claimant.
    for status in [S::New, S::Triaged, S::InReview, S::Recommended, S::Batched, S::Conflict] {
        let got = decide(&supervisor, &claim(status, Holder::Nobody), &notify(false));
        assert_eq!(got.map_err(|r| r.code()), Err("WRONG_STATE"), "{status}");
    }
    let approved = claim(S::Approved, Holder::Nobody);
    let t = decide(&supervisor, &approved, &notify(false)).expect("the first notice");
    assert_eq!(t.to, S::Approved, "a notice moves nothing");
    // A reviewer does not send notices, not even the first.
    let refusal = decide(&reviewer, &approved, &notify(false)).expect_err("reviewer");
    assert_eq!(refusal.code(), "ROLE_NOT_ALLOWED");
    // Sent once: a second by accident is refused, a deliberate resend is not.
    let notified = ClaimView { notified: true, ..approved.clone() };
    let refusal = decide(&supervisor, &notified, &notify(false)).expect_err("twice");
    assert_eq!(refusal.code(), "ALREADY_NOTIFIED");
    assert!(refusal.to_string().contains("already"), "{refusal}");
    decide(&supervisor, &notified, &notify(true)).expect("a resend");
    // A notice without a way to send it is not a notice.
    let empty = ClaimCommand::Notify { channels: Vec::new(), lang: Default::default(), resend: false };
    assert_eq!(decide(&supervisor, &approved, &empty).map_err(|r| r.code()), Err("INVALID"));
    // The app offers it to a supervisor on a decided claim, and as a resend once sent.
    assert!(allowed_actions(&supervisor, &approved).contains(&ClaimAction::Notify));
    assert!(allowed_actions(&supervisor, &notified).contains(&ClaimAction::Notify));
    assert!(!allowed_actions(&reviewer, &approved).contains(&ClaimAction::Notify));
}

#[test]
fn a_claim_gets_one_request_for_information_and_a_supervisor_may_send_another() {
    let reviewer = actor(ME, Role::Reviewer, None);
    let supervisor = actor(ME, Role::Supervisor, None);
    let in_review = ClaimView { as_of: Some(day(2023, 2, 1)), ..claim(ClaimStatus::InReview, Holder::Me) };
    decide(&reviewer, &in_review, &request_info("통장 사본")).expect("the first request");
    // Answered once already: a second request by the reviewer is refused, with what to do.
    let answered = ClaimView { requests: 1, ..in_review.clone() };
    let refusal = decide(&reviewer, &answered, &request_info("한 번 더")).expect_err("a second request");
    assert_eq!(refusal.code(), "SECOND_REQUEST");
    assert!(refusal.message().render(crate::message::Lang::Ko).contains("책임자"), "{refusal}");
    let another = ClaimCommand::RequestInfo {
        code: None,
        message: "사업자등록증".to_string(),
        due_on: None,
        another: true,
    };
    // A reviewer cannot say "another" themselves; a supervisor holding the claim can.
    assert_eq!(decide(&reviewer, &answered, &another).map_err(|r| r.code()), Err("ROLE_NOT_ALLOWED"));
    let t = decide(&supervisor, &answered, &another).expect("a supervisor's further request");
    assert_eq!(t.to, ClaimStatus::NeedsInfo);
    // The app offers the request to the supervisor only, once one was made.
    assert!(!allowed_actions(&reviewer, &answered).contains(&ClaimAction::RequestInfo));
    assert!(allowed_actions(&supervisor, &answered).contains(&ClaimAction::RequestInfo));
}

#[test]
fn a_given_due_date_lies_after_the_request_and_within_a_year() {
    let reviewer = actor(ME, Role::Reviewer, None);
    let in_review = ClaimView { as_of: Some(day(2023, 2, 1)), ..claim(ClaimStatus::InReview, Holder::Me) };
    let due = |d| ClaimCommand::RequestInfo {
        code: None,
        message: "통장 사본".to_string(),
        due_on: Some(d),
        another: false,
    };
    decide(&reviewer, &in_review, &due(day(2023, 2, 15))).expect("two weeks");
    decide(&reviewer, &in_review, &due(day(2024, 2, 1))).expect("a year");
    for bad in [day(2023, 2, 1), day(2023, 1, 20), day(2024, 2, 2)] {
        let refusal = decide(&reviewer, &in_review, &due(bad)).expect_err("out of range");
        assert_eq!(refusal.code(), "INVALID", "{bad}");
        assert!(refusal.to_string().contains(&bad.format("%Y-%m-%d").to_string()), "{refusal}");
    }
}

#[test]
fn an_expiry_waits_until_the_due_date_has_passed_and_the_extension_moves_it() {
    let supervisor = actor(ME, Role::Supervisor, None);
    let expire = ClaimCommand::Expire { note: String::new() };
    // Due 4 Mar: refused on 1 Mar and on the due day itself, saying the date.
    for today in [day(2023, 3, 1), day(2023, 3, 4)] {
        let refusal = decide(&supervisor, &waiting(today, None), &expire).expect_err("not yet due");
        assert_eq!(refusal, Refusal::NotDue { due: day(2023, 3, 4) });
        assert!(refusal.message().render(crate::message::Lang::Ko).contains("2023-03-04"), "{refusal}");
    }
    let t = decide(&supervisor, &waiting(day(2023, 3, 5), None), &expire).expect("overdue");
    assert_eq!((t.to, t.assignee), (ClaimStatus::ClosedDenied, None), "closed and unheld");
    // The programme extended the window to 14 Mar: the request of 30 Jan is due then.
    let extended = crate::policy::CureWindow {
        extended_until: Some(day(2023, 3, 14)),
        ..crate::policy::CureWindow::default()
    };
    let refusal =
        decide(&supervisor, &waiting(day(2023, 3, 5), Some(extended)), &expire).expect_err("extended");
    assert_eq!(refusal, Refusal::NotDue { due: day(2023, 3, 14) });
    decide(&supervisor, &waiting(day(2023, 3, 15), Some(extended)), &expire).expect("after the extension");
    // A reviewer does not close claims as not cured; a policy without NOT_CURED cannot.
    let reviewer = actor(ME, Role::Reviewer, None);
    let refusal = decide(&reviewer, &waiting(day(2023, 3, 5), None), &expire).expect_err("reviewer");
    assert_eq!(refusal.code(), "ROLE_NOT_ALLOWED");
    let uncited = ClaimView { cited: None, ..waiting(day(2023, 3, 5), None) };
    assert_eq!(decide(&supervisor, &uncited, &expire).map_err(|r| r.code()), Err("UNKNOWN_REASON"));
    // Without a clock (an op with no day) nothing expires.
    let timeless = ClaimView { as_of: None, ..waiting(day(2023, 3, 5), None) };
    assert_eq!(decide(&supervisor, &timeless, &expire).map_err(|r| r.code()), Err("NOT_DUE"));
    // The app offers it only once overdue.
    let offered = |today| allowed_actions(&supervisor, &ClaimView { cited: None, ..waiting(today, None) });
    assert!(!offered(day(2023, 3, 4)).contains(&ClaimAction::Expire));
    assert!(offered(day(2023, 3, 5)).contains(&ClaimAction::Expire));
}

#[test]
fn the_cure_window_gives_due_dates_reminders_and_extensions() {
    use crate::model::DueState;
    let w = crate::policy::CureWindow::default();
    assert_eq!(w.due_from(day(2023, 1, 30)), day(2023, 3, 4), "30 days + 3 by mail");
    assert_eq!(w.state(day(2023, 3, 4), day(2023, 2, 24)), DueState::Open);
    assert_eq!(w.state(day(2023, 3, 4), day(2023, 2, 25)), DueState::ReminderDue, "7 days before");
    assert_eq!(w.state(day(2023, 3, 4), day(2023, 3, 4)), DueState::ReminderDue, "the due day");
    assert_eq!(w.state(day(2023, 3, 4), day(2023, 3, 5)), DueState::Overdue);
    let x = crate::policy::CureWindow { extended_until: Some(day(2023, 3, 14)), ..w };
    assert_eq!(x.extended(day(2023, 1, 30), day(2023, 3, 4)), day(2023, 3, 14), "moved");
    assert_eq!(x.extended(day(2023, 3, 1), day(2023, 4, 3)), day(2023, 4, 3), "never earlier");
    assert_eq!(x.extended(day(2023, 3, 20), day(2023, 4, 22)), day(2023, 4, 22), "made after it");
}

#[test]
fn a_document_tick_names_a_document_the_policy_asks_of_the_category() {
    let reviewer = actor(ME, Role::Reviewer, None);
    let tick = |code: &str| ClaimCommand::CheckDocument { document: code.to_string(), received: true };
    let policy = crate::policy::Policy::default_2022();
    let sb = crate::model::Category::SmallBusiness;
    check_document(&tick("SMALL_BUSINESS_CERT"), &policy, sb).expect("asked of small businesses");
    let refusal = check_document(&tick("SMALL_BUSINESS_CERT"), &policy, crate::model::Category::FreeUser)
        .expect_err("not asked of free users");
    assert_eq!(refusal.code(), "INVALID");
    assert!(refusal.message().render(crate::message::Lang::Ko).contains("무료 이용자"), "{refusal}");
    let c = claim(ClaimStatus::NeedsInfo, Holder::Me);
    assert_eq!(decide(&reviewer, &c, &tick("bank copy")).map_err(|r| r.code()), Err("INVALID"));
    decide(&reviewer, &c, &tick("SMALL_BUSINESS_CERT")).expect("a tick while waiting for documents");
}
