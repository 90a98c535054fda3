//! `ticketd backup PATH`: a consistent copy of the SQLite database taken while a server keeps
//! serving on the same file, checked before it takes PATH's name. PostgreSQL has its own tools.

use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::DatabaseArgs;
use super::doctor::redact_url;

/// How long the copy waits for a moment when it can read the source (a WAL recovery or a
/// journal-mode switch holds the file briefly).
const LOCK_PATIENCE: Duration = Duration::from_secs(30);
const LOCK_RETRY: Duration = Duration::from_millis(50);

/// Arguments of `ticketd backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write the copy to; an existing file is refused unless --force.
    pub path: PathBuf,
    /// Replace PATH when it exists (the old file stays until the new copy is complete).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// What a finished backup copied.
struct Copied {
    pages: i32,
    bytes: u64,
    took: Duration,
}

/// Copies the database named by `--database-url` to PATH and prints what was copied.
pub async fn run(args: BackupArgs) -> anyhow::Result<()> {
    let url = args.database.database_url.clone();
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        bail!(
            "ticketd backup copies SQLite databases; back up PostgreSQL with its own tools, e.g. \
             `pg_dump -Fc --file ticketd.dump '{}'` (restore with pg_restore; see docs/operations.md)",
            redact_url(&url)
        );
    }
    if !url.starts_with("sqlite:") {
        bail!("--database-url '{}': use sqlite://PATH", redact_url(&url));
    }
    // The file name is read exactly as the server reads it, so both mean the same file.
    let source = crate::store::sqlite_path(&url).with_context(|| format!("--database-url '{url}'"))?;
    let shown = source.clone();
    let target = args.path.clone();
    let copied = tokio::task::spawn_blocking(move || copy(&source, &args.path, args.force))
        .await
        .context("the backup stopped")??;
    println!(
        "backed up {} to {}: {} pages, {} bytes in {} ms; integrity_check ok",
        shown.display(),
        target.display(),
        copied.pages,
        copied.bytes,
        copied.took.as_millis()
    );
    Ok(())
}

/// Copies `source` to a file beside `target`, checks it, syncs it and only then names it
/// `target`, so PATH is never a partial copy.
fn copy(source: &Path, target: &Path, force: bool) -> anyhow::Result<Copied> {
    let started = Instant::now();
    check_target(source, target, force)?;
    if !source.is_file() {
        bail!("there is no database file at {}", source.display());
    }
    let mut partial = target.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let outcome = copy_to(source, &partial).and_then(|pages| {
        if target.exists() && !force {
            bail!("{} appeared during the backup; pass --force to replace it", target.display());
        }
        std::fs::rename(&partial, target).with_context(|| format!("cannot rename to {}", target.display()))?;
        sync_directory_of(target)?;
        let bytes = std::fs::metadata(target).with_context(|| target.display().to_string())?.len();
        Ok(Copied { pages, bytes, took: started.elapsed() })
    });
    if outcome.is_err() {
        remove_partial(&partial);
    }
    outcome
}

/// Removes an unfinished copy with its log files (also one an interrupted run left behind).
fn remove_partial(partial: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut leftover = partial.as_os_str().to_owned();
        leftover.push(suffix);
        let _ = std::fs::remove_file(leftover);
    }
}

/// Refuses an existing PATH without --force, a directory, and the live database itself.
fn check_target(source: &Path, target: &Path, force: bool) -> anyhow::Result<()> {
    let Ok(existing) = std::fs::metadata(target) else { return Ok(()) };
    if existing.is_dir() {
        bail!("{} is a directory; name the file to write", target.display());
    }
    if !force {
        bail!("{} exists; pass --force to replace it", target.display());
    }
    let same = |path: &Path| std::fs::canonicalize(path).ok();
    if same(source).is_some() && same(source) == same(target) {
        bail!("{} is the database itself", target.display());
    }
    Ok(())
}

/// Runs SQLite's online backup into `partial` and checks the copy; the number of pages.
fn copy_to(source: &Path, partial: &Path) -> anyhow::Result<i32> {
    remove_partial(partial);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let from = Connection::open_with_flags(source, flags).with_context(|| source.display().to_string())?;
    create_private(partial)?;
    let mut to = Connection::open(partial).with_context(|| partial.display().to_string())?;
    let pages = {
        let backup = Backup::new(&from, &mut to).context("cannot start the backup")?;
        step_to_the_end(&backup)?;
        backup.progress().pagecount
    };
    drop(from);
    let verdict: String =
        to.query_row("PRAGMA integrity_check", [], |row| row.get(0)).context("cannot check the copy")?;
    if verdict != "ok" {
        bail!("the copy fails PRAGMA integrity_check: {verdict}");
    }
    to.close().map_err(|(_, err)| err).context("cannot close the copy")?;
    let file = std::fs::File::open(partial).with_context(|| partial.display().to_string())?;
    file.sync_all().with_context(|| format!("cannot sync {}", partial.display()))?;
    Ok(pages)
}

/// Creates the empty file SQLite then fills, readable by its owner only: a backup holds password
/// hashes and webhook secrets, and often goes to a directory others can read.
fn create_private(partial: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(partial).map(drop).with_context(|| format!("cannot create {}", partial.display()))
}

/// Copies every page in one step: one read transaction, so the copy is the database as of one
/// commit. In WAL mode the server's writers go on meanwhile; copying a few pages per step
/// instead would start over after each of their commits and might never finish under load.
fn step_to_the_end(backup: &Backup<'_, '_>) -> anyhow::Result<()> {
    let waiting_since = Instant::now();
    loop {
        match backup.step(-1).context("the backup failed")? {
            StepResult::Done => return Ok(()),
            _ if waiting_since.elapsed() > LOCK_PATIENCE => {
                bail!("the database stayed locked for {} s", LOCK_PATIENCE.as_secs());
            }
            _ => std::thread::sleep(LOCK_RETRY),
        }
    }
}

/// Makes the rename durable: the directory entry is synced too.
fn sync_directory_of(target: &Path) -> anyhow::Result<()> {
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::File::open(directory)
        .and_then(|dir| dir.sync_all())
        .with_context(|| format!("cannot sync {}", directory.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_target_needs_force_and_is_never_the_database_itself() {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = dir.path().join("live.db");
        std::fs::write(&database, b"x").expect("write");
        let target = dir.path().join("copy.db");
        assert!(check_target(&database, &target, false).is_ok());
        std::fs::write(&target, b"old").expect("write");
        let refused = check_target(&database, &target, false).expect_err("refused").to_string();
        assert!(refused.contains("--force"), "{refused}");
        assert!(check_target(&database, &target, true).is_ok());
        let itself =
            check_target(&database, &dir.path().join(".").join("live.db"), true).expect_err("refused").to_string();
        assert!(itself.contains("the database itself"), "{itself}");
        let directory = check_target(&database, dir.path(), true).expect_err("refused").to_string();
        assert!(directory.contains("is a directory"), "{directory}");
    }

    #[test]
    fn a_failed_copy_keeps_the_driver_error_as_its_cause_and_leaves_no_partial_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = dir.path().join("live.db");
        std::fs::write(&database, vec![b'x'; 4096]).expect("write");
        let target = dir.path().join("copy.db");
        let err = copy(&database, &target, false).err().expect("not a database");
        assert!(err.chain().any(|cause| cause.downcast_ref::<rusqlite::Error>().is_some()), "{err:#}");
        assert!(format!("{err:#}").contains("not a database"), "{err:#}");
        assert!(!target.exists() && !dir.path().join("copy.db.partial").exists());
    }
}
