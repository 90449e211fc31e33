//! Per-user preferences: saved queue views (a named filter and sort) and
//! settings such as the display language. Each change is an op in the audit
//! chain that stays on this device.

use claimdesk_core::msg;
use std::collections::BTreeMap;

use claimdesk_core::ops::{Op, SettingSet, ViewRef, ViewSave};
use claimdesk_core::Actor;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter, SyncState};
use crate::queue::{QueueFilter, Sort};
use crate::{now_secs, Store};

/// A named queue filter and sort.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedView {
    pub name: String,
    pub filter: QueueFilter,
    pub sort: Sort,
    pub created_at: i64,
}

/// Settings a user may store, with the values each accepts (None = any text).
const SETTINGS: &[(&str, Option<&[&str]>)] = &[
    ("language", Some(&["ko", "en"])),
    // The standard theme or high contrast (ui/src/app.css).
    ("theme", Some(&["standard", "contrast"])),
    // Zoom of the whole window, percent (ui/src/lib/display.ts).
    ("zoom", Some(&["80", "90", "100", "110", "125", "150", "175", "200"])),
];

impl Store {
    /// Appends a device-local op for a preference change, inside `apply`'s transaction.
    fn pref_change(
        &mut self,
        actor: &Actor,
        entity: &str,
        op: Op,
        apply: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<()> {
        let device = self.device().to_string();
        let tx = self.write_tx()?;
        apply(&tx)?;
        let mut ops = OpWriter::begin(&tx)?;
        ops.append_op(
            &tx,
            &Author { user: &actor.user, device: &device },
            entity,
            &op,
            None,
            None,
            SyncState::Local,
        )?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// The actor's saved views, by name.
    pub fn saved_views(&self, actor: &Actor) -> Result<Vec<SavedView>> {
        let mut stmt = self.conn().prepare(
            "SELECT name, filter, sort, created_at FROM saved_views WHERE user_id = ?1 ORDER BY name",
        )?;
        let rows = stmt.query_map([&actor.user], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, filter, sort, created_at) = row?;
            out.push(SavedView {
                name,
                filter: serde_json::from_str(&filter)?,
                sort: serde_json::from_str(&sort)?,
                created_at,
            });
        }
        Ok(out)
    }

    /// Saves (or replaces) a view of the actor's under `name`.
    pub fn save_view(
        &mut self,
        actor: &Actor,
        name: &str,
        filter: &QueueFilter,
        sort: Sort,
    ) -> Result<SavedView> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(StoreError::Invalid(msg!("store.view_name")));
        }
        let view = SavedView { name: name.to_string(), filter: filter.clone(), sort, created_at: now_secs() };
        let (f, s) = (serde_json::to_string(&view.filter)?, serde_json::to_string(&view.sort)?);
        let op = Op::ViewSave(ViewSave {
            name: name.to_string(),
            filter: serde_json::to_value(&view.filter)?,
            sort: serde_json::to_value(view.sort)?,
        });
        self.pref_change(actor, &format!("user:{}", actor.user), op, |tx| {
            tx.execute(
                "INSERT INTO saved_views (user_id, name, filter, sort, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (user_id, name) DO UPDATE SET filter = excluded.filter, sort = excluded.sort",
                params![actor.user, name, f, s, view.created_at],
            )?;
            Ok(())
        })?;
        Ok(view)
    }

    pub fn delete_view(&mut self, actor: &Actor, name: &str) -> Result<()> {
        self.pref_change(
            actor,
            &format!("user:{}", actor.user),
            Op::ViewDelete(ViewRef { name: name.to_string() }),
            |tx| {
                let n = tx.execute(
                    "DELETE FROM saved_views WHERE user_id = ?1 AND name = ?2",
                    params![actor.user, name],
                )?;
                if n == 0 {
                    return Err(StoreError::NotFound(format!("the view '{name}'")));
                }
                Ok(())
            },
        )
    }

    /// The actor's settings, key -> value.
    pub fn settings(&self, actor: &Actor) -> Result<BTreeMap<String, String>> {
        let mut stmt = self.conn().prepare("SELECT key, value FROM settings WHERE user_id = ?1")?;
        let rows = stmt.query_map([&actor.user], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores one of the actor's settings (see `SETTINGS` for keys and values).
    pub fn set_setting(&mut self, actor: &Actor, key: &str, value: &str) -> Result<()> {
        let allowed = SETTINGS
            .iter()
            .find(|(k, _)| *k == key)
            .ok_or_else(|| {
                StoreError::Invalid(msg!(
                    "store.unknown_setting",
                    key = key,
                    known = SETTINGS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                ))
            })?
            .1;
        if let Some(values) = allowed {
            if !values.contains(&value) {
                return Err(StoreError::Invalid(msg!(
                    "store.setting_value",
                    value = value,
                    key = key,
                    known = values.join(", ")
                )));
            }
        }
        let op = Op::SettingSet(SettingSet { key: key.to_string(), value: value.to_string() });
        self.pref_change(actor, &format!("user:{}", actor.user), op, |tx| {
            tx.execute(
                "INSERT INTO settings (user_id, key, value) VALUES (?1, ?2, ?3) ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value",
                params![actor.user, key, value],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::SortKey;
    use claimdesk_core::{ClaimStatus, Role};

    #[test]
    fn views_and_settings_are_per_user_and_audited() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("s.db")).expect("open");
        let admin = store.actor("admin").expect("admin");
        store.create_user(&admin, "kim", "김심사", Role::Reviewer, None).expect("user");
        let kim = store.actor("kim").expect("kim");
        let filter =
            QueueFilter {
                statuses: vec![ClaimStatus::New], text: Some("택시".into()), ..Default::default()
            };
        let sort = Sort { key: SortKey::Amount, descending: true };
        store.save_view(&kim, "새 택시", &filter, sort).expect("save");
        store.save_view(&kim, "새 택시", &QueueFilter::default(), sort).expect("replace");
        assert_eq!(store.save_view(&kim, "  ", &filter, sort).err().map(|e| e.code()), Some("INVALID"));
        let views = store.saved_views(&kim).expect("views");
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].filter, QueueFilter::default());
        assert!(store.saved_views(&admin).expect("admin views").is_empty());
        store.delete_view(&kim, "새 택시").expect("delete");
        assert_eq!(store.delete_view(&kim, "새 택시").err().map(|e| e.code()), Some("NOT_FOUND"));

        store.set_setting(&kim, "language", "en").expect("set");
        store.set_setting(&kim, "language", "ko").expect("set again");
        assert_eq!(store.set_setting(&kim, "language", "fr").err().map(|e| e.code()), Some("INVALID"));
        assert_eq!(store.set_setting(&kim, "colour", "red").err().map(|e| e.code()), Some("INVALID"));
        // The display: zoom and theme, per user.
        store.set_setting(&kim, "zoom", "150").expect("zoom");
        store.set_setting(&kim, "theme", "contrast").expect("theme");
        assert_eq!(store.set_setting(&kim, "zoom", "133").err().map(|e| e.code()), Some("INVALID"));
        assert_eq!(store.set_setting(&kim, "theme", "neon").err().map(|e| e.code()), Some("INVALID"));
        let kims = store.settings(&kim).expect("settings");
        assert_eq!((kims["zoom"].as_str(), kims["theme"].as_str()), ("150", "contrast"));
        assert_eq!(store.settings(&kim).expect("settings").get("language").map(String::as_str), Some("ko"));
        assert!(store.settings(&admin).expect("settings").is_empty());
        let ops: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM ops WHERE kind IN ('view.save', 'view.delete', 'setting.set')",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(ops, 7);
        store.verify_audit().expect("chain");
    }
}
