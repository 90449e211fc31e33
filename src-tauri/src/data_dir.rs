//! The app data dir follows the bundle identifier (`~/.local/share/<identifier>`
//! on Linux). Until 0.1.0 the identifier was `kr.claimdesk.app`, which Tauri
//! warns clashes with macOS `.app` bundles; it is now `kr.claimdesk.desktop`.
//! A store left in the old data dir is moved to the new one once, at start,
//! before it is opened; when it cannot be moved it is used where it is.

use std::io;
use std::path::{Path, PathBuf};

/// The identifier whose data dir may still hold a store.
pub const LEGACY_IDENTIFIER: &str = "kr.claimdesk.app";

/// The store's file in the data dir.
pub const STORE_FILE: &str = "claimdesk.db";

/// SQLite's companions of the store file. The write-ahead log holds committed
/// changes not yet copied into the database (after a crash, or while the app
/// runs): the store and its log only ever move together.
const COMPANIONS: [&str; 4] =
    ["claimdesk.db-wal", "claimdesk.db-shm", "claimdesk.db-journal", "claimdesk.db.keys"];

/// What [`adopt_legacy_store`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adoption {
    /// Nothing to do: a store is in the data dir already, or none in the old one.
    None,
    /// The old data dir's store (and what else was in that dir) was moved here.
    Moved { from: PathBuf },
    /// The old store could not be moved (the error): it is used where it is.
    KeptInPlace { at: PathBuf, error: String },
}

/// The store to open in `data_dir`: its claimdesk.db, after moving the store
/// of the sibling legacy data dir there if only that one has a store; or the
/// legacy store itself, where it is, when it could not be moved.
pub fn store_in(data_dir: &Path) -> (PathBuf, Adoption) {
    match data_dir.parent().map(|p| p.join(LEGACY_IDENTIFIER)) {
        Some(legacy) if legacy != data_dir => adopt_legacy_store(&legacy, data_dir),
        _ => (data_dir.join(STORE_FILE), Adoption::None),
    }
}

/// Moves the store of `legacy_dir` into `data_dir` when `data_dir` has no
/// store and `legacy_dir` has one. The log and shared-memory files move
/// first and the database last, so a store is in the new place only once it
/// is whole; a move that fails half way is rolled back, and a move cut short
/// (power loss) is finished at the next start, since the database is then
/// still in the old place. The rest of the old dir (the demo data folder)
/// follows when the new dir has nothing of that name, and the old dir is
/// removed once empty.
pub fn adopt_legacy_store(legacy_dir: &Path, data_dir: &Path) -> (PathBuf, Adoption) {
    let store = data_dir.join(STORE_FILE);
    let old = legacy_dir.join(STORE_FILE);
    if store.exists() || !old.is_file() {
        return (store, Adoption::None);
    }
    match move_store(legacy_dir, data_dir) {
        Ok(()) => {
            move_the_rest(legacy_dir, data_dir);
            (store, Adoption::Moved { from: legacy_dir.to_path_buf() })
        }
        Err(e) => (old.clone(), Adoption::KeptInPlace { at: old, error: e.to_string() }),
    }
}

fn move_store(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    let names = COMPANIONS.iter().copied().chain([STORE_FILE]);
    for name in names {
        let (src, dst) = (from.join(name), to.join(name));
        if !src.exists() {
            continue;
        }
        // A companion left in the new place by an earlier, cut-short move
        // belongs to this store: the newer one from the old place replaces it.
        let step = if name != STORE_FILE && dst.exists() {
            std::fs::remove_file(&dst).and_then(|()| std::fs::rename(&src, &dst))
        } else {
            std::fs::rename(&src, &dst)
        };
        if let Err(e) = step {
            // Put back what moved, so the old store stays whole where it was.
            for (src, dst) in moved.iter().rev() {
                let _ = std::fs::rename(dst, src);
            }
            return Err(io::Error::new(
                e.kind(),
                format!("moving {} to {}: {e}", src.display(), dst.display()),
            ));
        }
        moved.push((src, dst));
    }
    Ok(())
}

fn move_the_rest(from: &Path, to: &Path) {
    if let Ok(entries) = std::fs::read_dir(from) {
        for entry in entries.flatten() {
            let dst = to.join(entry.file_name());
            if !dst.exists() {
                if let Err(e) = std::fs::rename(entry.path(), &dst) {
                    tracing::warn!(from = %entry.path().display(), error = %e, "left in the old data dir");
                }
            }
        }
    }
    // Only when empty (anything left is kept).
    let _ = std::fs::remove_dir(from);
}

#[cfg(test)]
mod tests {
    use super::*;
    use claimdesk_store::Store;

    const PASSWORD: &str = "old-admin-pass";

    /// A store as a crashed (or still running) app leaves it: the database
    /// with its committed admin password still only in the write-ahead log.
    fn legacy_store(legacy: &Path) {
        std::fs::create_dir_all(legacy).expect("test setup");
        let work = tempfile::tempdir().expect("test setup");
        let path = work.path().join(STORE_FILE);
        let mut store = Store::open(&path).expect("test setup");
        store
            .conn()
            .execute_batch("PRAGMA wal_autocheckpoint = 0; PRAGMA wal_checkpoint(TRUNCATE);")
            .expect("test setup");
        store.set_first_admin_password(PASSWORD).expect("test setup");
        for name in [STORE_FILE, "claimdesk.db-wal", "claimdesk.db-shm"] {
            std::fs::copy(work.path().join(name), legacy.join(name)).expect("test setup");
        }
        assert!(
            std::fs::metadata(legacy.join("claimdesk.db-wal")).expect("test setup").len() > 0,
            "the password is in the log"
        );
        // ... and only there: the database moved without its log would lose it.
        let alone = tempfile::tempdir().expect("test setup");
        std::fs::copy(legacy.join(STORE_FILE), alone.path().join(STORE_FILE)).expect("test setup");
        assert!(!signs_in(&alone.path().join(STORE_FILE)), "the fixture's password must be only in the log");
        std::fs::create_dir_all(legacy.join("demo")).expect("test setup");
        std::fs::write(legacy.join("demo/피해신고_접수_데모.csv"), "x").expect("test setup");
        drop(store);
    }

    fn signs_in(path: &Path) -> bool {
        let mut store = Store::open_existing(path).expect("test setup");
        store.verify_password("admin", PASSWORD).is_ok()
    }

    #[test]
    fn a_store_in_the_old_data_dir_moves_to_the_new_one_with_its_log() {
        let share = tempfile::tempdir().expect("test setup");
        let (legacy, new) = (share.path().join(LEGACY_IDENTIFIER), share.path().join("kr.claimdesk.desktop"));
        legacy_store(&legacy);
        // The webview may have made the new dir already.
        std::fs::create_dir_all(new.join("webkitgtk")).expect("test setup");

        let (path, adoption) = store_in(&new);
        assert_eq!(path, new.join(STORE_FILE));
        assert_eq!(adoption, Adoption::Moved { from: legacy.clone() });
        assert!(new.join("demo/피해신고_접수_데모.csv").is_file(), "the demo folder follows");
        assert!(!legacy.exists(), "the empty old dir is removed");
        assert!(signs_in(&path), "the password committed in the log moved with the store");

        // Once moved, nothing more happens.
        assert_eq!(store_in(&new), (new.join(STORE_FILE), Adoption::None));
    }

    #[test]
    fn a_store_in_the_new_data_dir_wins_and_the_old_one_is_left_alone() {
        let share = tempfile::tempdir().expect("test setup");
        let (legacy, new) = (share.path().join(LEGACY_IDENTIFIER), share.path().join("kr.claimdesk.desktop"));
        legacy_store(&legacy);
        std::fs::create_dir_all(&new).expect("test setup");
        std::fs::write(new.join(STORE_FILE), "").expect("test setup");
        assert_eq!(store_in(&new), (new.join(STORE_FILE), Adoption::None));
        assert!(legacy.join(STORE_FILE).is_file() && legacy.join("claimdesk.db-wal").is_file());
    }

    #[test]
    fn no_old_store_means_a_new_one_in_the_new_dir() {
        let share = tempfile::tempdir().expect("test setup");
        let new = share.path().join("kr.claimdesk.desktop");
        assert_eq!(store_in(&new), (new.join(STORE_FILE), Adoption::None));
        assert!(!new.exists(), "nothing is made before the store opens");
    }

    #[test]
    fn a_move_cut_short_is_finished_at_the_next_start() {
        let share = tempfile::tempdir().expect("test setup");
        let (legacy, new) = (share.path().join(LEGACY_IDENTIFIER), share.path().join("kr.claimdesk.desktop"));
        legacy_store(&legacy);
        // Power lost after the log moved, before the database did.
        std::fs::create_dir_all(&new).expect("test setup");
        std::fs::rename(legacy.join("claimdesk.db-wal"), new.join("claimdesk.db-wal")).expect("test setup");

        let (path, adoption) = store_in(&new);
        assert!(matches!(adoption, Adoption::Moved { .. }), "{adoption:?}");
        assert!(signs_in(&path));
    }

    #[test]
    fn an_old_store_that_cannot_move_is_used_where_it_is() {
        let share = tempfile::tempdir().expect("test setup");
        let legacy = share.path().join(LEGACY_IDENTIFIER);
        legacy_store(&legacy);
        // The new data dir cannot be made: a file stands where it would be.
        let new = share.path().join("kr.claimdesk.desktop");
        std::fs::write(&new, "not a dir").expect("test setup");

        let (path, adoption) = store_in(&new);
        assert_eq!(path, legacy.join(STORE_FILE));
        assert!(matches!(adoption, Adoption::KeptInPlace { .. }), "{adoption:?}");
        assert!(legacy.join("claimdesk.db-wal").is_file(), "nothing moved");
        assert!(signs_in(&path));
    }

    #[test]
    fn a_failed_move_puts_back_the_log() {
        let share = tempfile::tempdir().expect("test setup");
        let (legacy, new) = (share.path().join(LEGACY_IDENTIFIER), share.path().join("kr.claimdesk.desktop"));
        legacy_store(&legacy);
        // The log moves first; then the shared-memory file cannot (a folder
        // with something in it stands in its place; root may write anywhere).
        std::fs::create_dir_all(new.join("claimdesk.db-shm").join("x")).expect("test setup");

        let (path, adoption) = store_in(&new);
        assert_eq!(path, legacy.join(STORE_FILE));
        assert!(
            matches!(&adoption, Adoption::KeptInPlace { error, .. } if error.contains("claimdesk.db-shm")),
            "{adoption:?}"
        );
        assert!(legacy.join("claimdesk.db-wal").is_file(), "the log is back with its database");
        assert!(!new.join("claimdesk.db-wal").exists() && !new.join(STORE_FILE).exists());
        assert!(signs_in(&path));
    }
}
