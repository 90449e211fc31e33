//! A desktop store signed in to the test server as one user of its roster,
//! synced on demand (the payout and fulfilment tests' desktops).

use std::path::Path;
use std::sync::atomic::AtomicBool;

use claimdesk_store::sync_desk::RosterUser;
use claimdesk_store::Store;
use claimdesk_sync::client::{ClientConfig, SyncClient};
use claimdesk_sync::protocol::LoginRequest;

pub struct Desk {
    pub store: Store,
    pub client: SyncClient,
    pub user: String,
}

impl Desk {
    /// A new store at `dir/name.db`, signed in as `user` (password `password-<user>`), with the server's roster.
    pub fn new(dir: &Path, name: &str, url: &str, user: &str) -> Desk {
        let mut store = Store::open(&dir.join(format!("{name}.db"))).expect("store");
        let mut client = SyncClient::new(&ClientConfig::new(url, 2)).expect("client");
        client
            .login(&LoginRequest {
                user: user.into(),
                password: format!("password-{user}"),
                device_id: store.device().into(),
                device_name: name.into(),
                device_secret: String::new(),
            })
            .expect("login");
        let roster: Vec<RosterUser> =
            client.users().expect("users").iter().filter_map(RosterUser::from_wire).collect();
        store.apply_roster(user, &roster).expect("roster");
        store.set_sync_setting("server_url", url).expect("url");
        Desk { store, client, user: user.into() }
    }

    /// Another member of the team signs in on this desktop (the second admin
    /// of dual control confirming the payout written here). Sync first: the
    /// desktop sends only the signed-in user's changes.
    pub fn sign_in_as(&mut self, user: &str) {
        self.client
            .login(&LoginRequest {
                user: user.into(),
                password: format!("password-{user}"),
                device_id: self.store.device().into(),
                device_name: self.user.clone(),
                device_secret: String::new(),
            })
            .expect("login");
        self.user = user.into();
    }

    pub fn sync(&mut self) -> claimdesk_sync::engine::SyncReport {
        self.client.sync(&mut self.store, &mut |_| {}, &AtomicBool::new(false)).expect("sync")
    }

    pub fn me(&self) -> claimdesk_core::Actor {
        self.store.actor(&self.user).expect("actor")
    }
}
