//! SyncClient against a loopback HTTP server that speaks protocol v1 (a
//! stand-in for crates/server): headers, login token, push and pull paging,
//! and error bodies mapped to stable codes.
#![cfg(feature = "client")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use claimdesk_sync::client::{ClientConfig, SyncClient};
use claimdesk_sync::engine::{PullTally, PushTally, Replica, SyncError};
use claimdesk_sync::protocol::*;

#[derive(Default)]
struct ServerState {
    log: Vec<PulledOp>,
    seq_of: std::collections::HashMap<String, i64>,
    requests: Vec<(String, Option<String>, Option<String>)>,
}

fn serve(state: Arc<Mutex<ServerState>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let (method, target) =
                (parts.first().copied().unwrap_or(""), parts.get(1).copied().unwrap_or(""));
            let (mut length, mut protocol, mut auth) = (0usize, None, None);
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
                let (name, value) = h.split_once(':').unwrap_or(("", ""));
                let value = value.trim().to_string();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.parse().unwrap_or(0),
                    HEADER_PROTOCOL => protocol = Some(value),
                    "authorization" => auth = Some(value),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let mut st = state.lock().expect("lock");
            st.requests.push((target.to_string(), protocol.clone(), auth.clone()));
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            let (status, answer) = if protocol.as_deref() != Some(&PROTOCOL_VERSION.to_string()) {
                (
                    409,
                    serde_json::to_string(&ErrorBody {
                        code: "protocol_too_old".into(),
                        message: "update".into(),
                    })
                    .unwrap_or_default(),
                )
            } else if path != "/v1/login" && auth.as_deref() != Some("Bearer t0k3n") {
                (
                    401,
                    serde_json::to_string(&ErrorBody {
                        code: "unauthorized".into(),
                        message: "sign in again".into(),
                    })
                    .unwrap_or_default(),
                )
            } else {
                match (method, path) {
                    ("POST", "/v1/login") => {
                        let req: LoginRequest = serde_json::from_slice(&body).expect("login body");
                        if req.password == "pw" {
                            let user = UserInfo {
                                id: req.user,
                                display_name: "김".into(),
                                role: "reviewer".into(),
                                approval_limit: None,
                                active: true,
                            };
                            (
                                200,
                                serde_json::to_string(&LoginResponse {
                                    token: "t0k3n".into(),
                                    user,
                                    server_time_ms: 0,
                                    server_id: "stand-in".into(),
                                    token_expires_ms: 0,
                                })
                                .unwrap_or_default(),
                            )
                        } else {
                            (
                                401,
                                serde_json::to_string(&ErrorBody {
                                    code: "unauthorized".into(),
                                    message: "wrong password".into(),
                                })
                                .unwrap_or_default(),
                            )
                        }
                    }
                    ("POST", "/v1/push") => {
                        let req: PushRequest = serde_json::from_slice(&body).expect("push body");
                        let mut results = Vec::new();
                        for op in req.ops {
                            let outcome = match st.seq_of.get(&op.op_id) {
                                Some(seq) => PushOutcome::Duplicate { seq: *seq, stamp: None },
                                None if op.kind == "claim.forbidden" => PushOutcome::Rejected {
                                    code: "forbidden".into(),
                                    reason: "not allowed".into(),
                                    explain: None,
                                },
                                None => {
                                    let seq = st.log.len() as i64 + 1;
                                    st.log.push(PulledOp { seq, op: op.clone(), stamp: None });
                                    st.seq_of.insert(op.op_id.clone(), seq);
                                    PushOutcome::Accepted { seq, stamp: None }
                                }
                            };
                            results.push(PushResult { op_id: op.op_id, outcome });
                        }
                        (
                            200,
                            serde_json::to_string(&PushResponse { results, server_time_ms: 0 })
                                .unwrap_or_default(),
                        )
                    }
                    ("GET", "/v1/pull") => {
                        let arg = |k: &str| {
                            query
                                .split('&')
                                .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
                                .and_then(|v| v.parse::<i64>().ok())
                                .unwrap_or(0)
                        };
                        let (after, limit) = (arg("after"), arg("limit") as usize);
                        let ops: Vec<PulledOp> =
                            st.log.iter().filter(|o| o.seq > after).take(limit).cloned().collect();
                        let cursor = ops.last().map(|o| o.seq).unwrap_or(after);
                        let head = st.log.len() as i64;
                        (
                            200,
                            serde_json::to_string(&PullResponse {
                                more: cursor < head,
                                ops,
                                cursor,
                                head,
                                server_time_ms: 0,
                            })
                            .unwrap_or_default(),
                        )
                    }
                    _ => (
                        404,
                        serde_json::to_string(&ErrorBody {
                            code: "not_found".into(),
                            message: "no such path".into(),
                        })
                        .unwrap_or_default(),
                    ),
                }
            };
            drop(st);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    format!("http://{addr}")
}

#[derive(Default)]
struct MemReplica {
    outbox: Vec<WireOp>,
    applied: Vec<WireOp>,
    cursor: i64,
    rejected: Vec<String>,
}

impl Replica for MemReplica {
    fn device_id(&self) -> String {
        "dev-1".into()
    }
    fn outbox_page(&mut self, limit: usize) -> Result<Vec<WireOp>, SyncError> {
        Ok(self.outbox.iter().take(limit).cloned().collect())
    }
    fn record_push(&mut self, results: &[PushResult]) -> Result<PushTally, SyncError> {
        let mut tally = PushTally::default();
        let answered: std::collections::HashSet<&str> = results.iter().map(|r| r.op_id.as_str()).collect();
        self.outbox.retain(|o| !answered.contains(o.op_id.as_str()));
        for r in results {
            match &r.outcome {
                PushOutcome::Accepted { .. } => tally.accepted += 1,
                PushOutcome::Duplicate { .. } => tally.duplicates += 1,
                PushOutcome::Rejected { .. } => self.rejected.push(r.op_id.clone()),
            }
        }
        Ok(tally)
    }
    fn cursor(&mut self) -> Result<i64, SyncError> {
        Ok(self.cursor)
    }
    fn apply_page(&mut self, page: &PullResponse) -> Result<PullTally, SyncError> {
        self.applied.extend(page.ops.iter().map(|p| p.op.clone()));
        self.cursor = page.cursor;
        Ok(PullTally { applied: page.ops.len() as u64, ..PullTally::default() })
    }
    fn finished(&mut self, _at_ms: i64) -> Result<(), SyncError> {
        Ok(())
    }
}

fn op(i: usize, kind: &str) -> WireOp {
    WireOp {
        op_id: format!("op-{i:05}"),
        hlc: i as i64,
        user: "kim".into(),
        device: "dev-1".into(),
        entity: "claim:T-1".into(),
        kind: kind.into(),
        payload: serde_json::json!({"body": "메모"}),
        base: None,
        at_ms: 0,
    }
}

#[test]
fn a_client_signs_in_pushes_and_pulls_in_pages_over_http() {
    let state = Arc::new(Mutex::new(ServerState::default()));
    let url = serve(state.clone());
    let mut client = SyncClient::new(&ClientConfig::new(&url, 3)).expect("client");
    let cancel = AtomicBool::new(false);
    let mut replica = MemReplica::default();
    // Without a token nothing is sent.
    assert_eq!(
        client.sync(&mut replica, &mut |_| {}, &cancel).expect_err("no token").code(),
        "SYNC_UNAUTHORIZED"
    );
    let login = LoginRequest {
        user: "kim".into(),
        password: "wrong".into(),
        device_id: "dev-1".into(),
        device_name: "노트북".into(),
        device_secret: String::new(),
    };
    assert_eq!(client.login(&login).expect_err("wrong password").code(), "SYNC_UNAUTHORIZED");
    client.login(&LoginRequest { password: "pw".into(), ..login }).expect("login");
    replica.outbox =
        (0..12_000).map(|i| op(i, if i == 7 { "claim.forbidden" } else { "claim.add_note" })).collect();
    let report = client.sync(&mut replica, &mut |_| {}, &cancel).expect("sync");
    assert_eq!(report.pushed, 12_000);
    assert_eq!(report.accepted, 11_999);
    assert_eq!(replica.rejected, vec!["op-00007".to_string()]);
    assert_eq!(report.pulled, 11_999);
    assert_eq!(replica.cursor, 11_999);
    assert_eq!(report.head, 11_999);
    // Pages of at most MAX_PAGE; every request carried the protocol and, after login, the token.
    let st = state.lock().expect("lock");
    assert!(st.requests.iter().all(|(_, p, _)| p.as_deref() == Some(PROTOCOL_VERSION.to_string().as_str())));
    let pulls = st.requests.iter().filter(|(t, _, _)| t.starts_with("/v1/pull")).count();
    assert_eq!(pulls, 3, "12,000 ops minus one in pages of {MAX_PAGE}");
    assert!(st
        .requests
        .iter()
        .filter(|(t, _, _)| !t.starts_with("/v1/login"))
        .all(|(_, _, a)| a.as_deref() == Some("Bearer t0k3n")));
}

#[test]
fn a_revoked_token_is_unauthorized_with_the_servers_message() {
    let state = Arc::new(Mutex::new(ServerState::default()));
    let url = serve(state);
    let mut client =
        SyncClient::new(&ClientConfig::new(&url, 3)).expect("client").with_token(Some("old".into()));
    let mut replica = MemReplica::default();
    let err = client.sync(&mut replica, &mut |_| {}, &AtomicBool::new(false)).expect_err("revoked");
    assert_eq!(err.code(), "SYNC_UNAUTHORIZED");
    assert!(err.to_string().contains("sign in again"));
}
