//! Shared fixtures for the store's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use claimdesk_core::{Actor, Role};
use claimdesk_store::import::{ImportOptions, ImportSummary};
use claimdesk_store::Store;

pub fn fixture(name: &str) -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("../../fixtures")
    .join(name)
}

pub struct Team {
    pub store: Store,
    pub admin: Actor,
    /// A second admin: confirms what `admin` exported (dual control).
    pub yoon: Actor,
    pub kim: Actor,
    pub lee: Actor,
    pub park: Actor,
    pub choi: Actor,
    pub dir: tempfile::TempDir,
}

/// A store with two admins (admin, yoon), two reviewers and two supervisors
/// (park: no limit, choi: 100,000 won).
pub fn team() -> Team {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("claims.db")).expect("store");
    let admin = store.actor("admin").expect("admin");
    store.create_user(&admin, "kim", "김지은", Role::Reviewer, None).expect("kim");
    store.create_user(&admin, "lee", "이준호", Role::Reviewer, None).expect("lee");
    store.create_user(&admin, "park", "박서연", Role::Supervisor, None).expect("park");
    store.create_user(&admin, "choi", "최민수", Role::Supervisor, Some(100_000)).expect("choi");
    store.create_user(&admin, "yoon", "윤하늘", Role::Admin, None).expect("yoon");
    let kim = store.actor("kim").expect("kim");
    let lee = store.actor("lee").expect("lee");
    let park = store.actor("park").expect("park");
    let choi = store.actor("choi").expect("choi");
    let yoon = store.actor("yoon").expect("yoon");
    Team { store, admin, yoon, kim, lee, park, choi, dir }
}

impl Team {
    pub fn import(&mut self, file: &Path) -> ImportSummary {
        let admin = self.admin.clone();
        self.store.import_file(&admin, file, ImportOptions::default(), &mut |_| true).expect("import")
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    /// Closes the store and opens it again from its file (the app or the
    /// command line started again); the actors stay as they were.
    pub fn reopen(&mut self) {
        let path = self.dir.path().join("claims.db");
        // The store is moved out (and closed) by putting a throwaway one in its place.
        drop(std::mem::replace(
            &mut self.store,
            Store::open(&self.dir.path().join("other.db")).expect("other"),
        ));
        self.store = Store::open(&path).expect("reopen");
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.store.conn().query_row(sql, [], |r| r.get(0)).expect("count")
    }
}

pub const HEADER: &str = "claim_id,received_at,category,name,phone,brn,service,damage_start,damage_end,claimed_amount_krw,daily_income_krw,documented_loss_krw,ad_spend_krw,description";

/// A small valid file: a taxi driver (cash 60,000 capped by claimed), a
/// small business, a paid subscriber, and a free user.
pub fn small_file() -> String {
    format!(
        "{HEADER}
T-001,2022-10-19T09:12:00+09:00,taxi_driver,김택시,010-1234-5678,,kakao_t,2022-10-15 15:00,2022-10-16 01:31,\"60,000\",\"180,000\",,,카카오 T 호출이 안 돼서 손님을 못 받았습니다
T-002,2022-10-20 10:00,소상공인,가나다식당,,220-81-62517,talk_channel,2022-10-15 16:00,2022-10-17 18:00,400000원,,,,카카오톡 채널 예약 메시지가 오지 않아 예약 손님을 놓쳤습니다
T-003,2022-10-21 11:00,paid_subscriber,이구독,01022223333,,melon,2022-10-15 15:30,2022-10-16 13:00,,,,,멜론 이용권을 쓰지 못했습니다
T-004,2022-10-22 12:00,free_user,박무료,+82 10-4444-5555,,kakaotalk,2022-10-15 15:30,2022-10-16 01:31,,,,,카카오톡 메시지가 안 갔어요
"
    )
}
