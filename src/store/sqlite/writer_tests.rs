//! Group commit keeps each save atomic on its own and answers only after the commit.

use std::time::Duration;

use tokio::sync::oneshot;

use super::*;

fn open() -> (tempfile::TempDir, WriteQueue, Connection) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("w.db");
    let reader = Connection::open(&path).expect("reader");
    reader.busy_timeout(Duration::from_secs(10)).expect("timeout");
    reader
        .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        .expect("schema");
    let writer = WriteQueue::start(Connection::open(&path).expect("writer connection")).expect("writer");
    (dir, writer, reader)
}

/// Queues a save that inserts `text`, waits for `gate` (when given), then succeeds or fails.
fn insert(
    writer: &WriteQueue,
    text: &'static str,
    gate: Option<oneshot::Receiver<()>>,
    fail: bool,
) -> tokio::task::JoinHandle<Result<(), StoreError>> {
    let writer = writer.clone();
    tokio::spawn(async move {
        writer
            .run(move |conn| {
                conn.execute("INSERT INTO notes (text) VALUES ($1)", [text])?;
                if let Some(gate) = gate {
                    let _ = gate.blocking_recv();
                }
                if fail { Err(StoreError::NotFound) } else { Ok(()) }
            })
            .await
    })
}

fn stored(reader: &Connection) -> Vec<String> {
    let mut query = reader.prepare("SELECT text FROM notes ORDER BY id").expect("prepare");
    query.query_map([], |row| row.get(0)).expect("read").collect::<Result<_, _>>().expect("rows")
}

/// Occupies the writer until the returned sender is dropped, so what is queued next forms one batch.
async fn hold_writer(writer: &WriteQueue) -> (oneshot::Sender<()>, tokio::task::JoinHandle<Result<(), StoreError>>) {
    let (open_gate, gate) = oneshot::channel();
    let holder = insert(writer, "first", Some(gate), false);
    tokio::time::sleep(Duration::from_millis(100)).await;
    (open_gate, holder)
}

#[tokio::test]
async fn a_failing_save_in_a_batch_rolls_back_alone() {
    let (_dir, writer, reader) = open();
    let (release, holder) = hold_writer(&writer).await;
    let saves =
        [insert(&writer, "a", None, false), insert(&writer, "bad", None, true), insert(&writer, "c", None, false)];
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(release);
    holder.await.expect("joins").expect("first saved");
    let [a, bad, c] = saves;
    a.await.expect("joins").expect("a saved");
    assert!(matches!(bad.await.expect("joins"), Err(StoreError::NotFound)), "the failing save reports its own error");
    c.await.expect("joins").expect("c saved");
    assert_eq!(stored(&reader), ["first", "a", "c"], "only the failing save's row is missing");
    assert_eq!(writer.counts(), (2, 4), "the three queued saves shared one transaction");
}

#[tokio::test]
async fn a_save_is_answered_only_after_its_batch_commits() {
    let (_dir, writer, reader) = open();
    let (release, holder) = hold_writer(&writer).await;
    let early = insert(&writer, "early", None, false);
    let (release_late, late_gate) = oneshot::channel();
    let late = insert(&writer, "late", Some(late_gate), false);
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(release);
    holder.await.expect("joins").expect("first saved");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!early.is_finished(), "'early' ran, but its batch has not committed: no answer yet");
    assert_eq!(stored(&reader), ["first"], "nothing of the open batch is visible");
    drop(release_late);
    early.await.expect("joins").expect("early saved");
    late.await.expect("joins").expect("late saved");
    assert_eq!(stored(&reader), ["first", "early", "late"]);
}

#[tokio::test]
async fn a_lone_failing_save_leaves_nothing_behind() {
    let (_dir, writer, reader) = open();
    let failed = insert(&writer, "bad", None, true).await.expect("joins");
    assert!(failed.is_err());
    insert(&writer, "good", None, false).await.expect("joins").expect("saved");
    assert_eq!(stored(&reader), ["good"]);
}

#[tokio::test]
async fn a_panicking_save_rolls_back_alone_and_the_writer_goes_on() {
    let (_dir, writer, reader) = open();
    let panicked: Result<(), StoreError> = writer
        .run(|conn| {
            conn.execute("INSERT INTO notes (text) VALUES ('lost')", [])?;
            panic!("a bug in a save")
        })
        .await;
    assert!(panicked.is_err(), "the caller gets an error, not a hang");
    insert(&writer, "kept", None, false).await.expect("joins").expect("saved");
    assert_eq!(stored(&reader), ["kept"]);
}

/// Queues a save that inserts `bytes` random bytes, so its pages reach the disk only at COMMIT.
fn insert_blob(writer: &WriteQueue, bytes: i64) -> tokio::task::JoinHandle<Result<(), StoreError>> {
    let writer = writer.clone();
    tokio::spawn(async move {
        writer
            .run(move |conn| {
                conn.execute("INSERT INTO notes (text) VALUES (hex(randomblob($1)))", [bytes / 2])?;
                Ok(())
            })
            .await
    })
}

async fn set_pragma(writer: &WriteQueue, pragma: &'static str, value: i64) {
    writer.run(move |conn| Ok(conn.pragma_update(None, pragma, value)?)).await.expect("pragma set");
}

#[tokio::test]
async fn a_read_only_file_fails_every_save_as_read_only_not_as_an_internal_error() {
    let (dir, _writable, reader) = open();
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let read_only = Connection::open_with_flags(dir.path().join("w.db"), flags).expect("read-only connection");
    let writer = WriteQueue::start(read_only).expect("writer");
    let saves = [insert(&writer, "a", None, false), insert(&writer, "b", None, false)];
    for save in saves {
        let answer = save.await.expect("joins");
        assert!(matches!(answer, Err(StoreError::ReadOnly)), "{answer:?}");
    }
    assert!(writer.recent_fault().is_some_and(|fault| fault.contains("read-only")), "{:?}", writer.recent_fault());
    assert!(stored(&reader).is_empty());
}

#[tokio::test]
async fn a_save_that_outgrows_the_file_fails_as_storage_full_and_the_writer_goes_on() {
    let (_dir, writer, reader) = open();
    let pages: i64 = reader.query_row("PRAGMA page_count", [], |row| row.get(0)).expect("page count");
    set_pragma(&writer, "max_page_count", pages + 2).await;
    let (release, holder) = hold_writer(&writer).await;
    let saves = [insert(&writer, "a", None, false), insert_blob(&writer, 64 * 1024), insert(&writer, "c", None, false)];
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(release);
    let mut answers = vec![holder.await.expect("joins")];
    for save in saves {
        answers.push(save.await.expect("joins"));
    }
    assert!(matches!(answers[2], Err(StoreError::StorageFull)), "{answers:?}");
    let saved: Vec<_> = ["first", "a", "c"].into_iter().zip([&answers[0], &answers[1], &answers[3]]).collect();
    for (text, answer) in &saved {
        assert!(answer.is_ok() || matches!(answer, Err(StoreError::StorageFull)), "{text}: {answer:?}");
    }
    let acknowledged: Vec<_> = saved.iter().filter(|(_, answer)| answer.is_ok()).map(|(text, _)| *text).collect();
    assert_eq!(stored(&reader), acknowledged, "exactly the saves answered Ok are stored");
    set_pragma(&writer, "max_page_count", 1 << 30).await;
    insert_blob(&writer, 64 * 1024).await.expect("joins").expect("saved once there is room");
}

#[tokio::test]
async fn a_commit_that_finds_the_disk_full_fails_every_save_of_its_batch_and_the_next_commits() {
    let Some(disk) = super::super::test_tmpfs::Tmpfs::mount("2m") else { return };
    let path = disk.path().join("w.db");
    let reader = Connection::open(&path).expect("reader");
    reader
        .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        .expect("schema");
    let writer = WriteQueue::start(Connection::open(&path).expect("writer connection")).expect("writer");
    let (release, holder) = hold_writer(&writer).await;
    let filler = disk.fill_leaving(256 * 1024);
    let batch = [insert_blob(&writer, 200 * 1024), insert_blob(&writer, 200 * 1024), insert_blob(&writer, 200 * 1024)];
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(release);
    holder.await.expect("joins").expect("the small first save fits");
    for save in batch {
        let answer = save.await.expect("joins");
        assert!(matches!(answer, Err(StoreError::StorageFull)), "every save of the failed commit: {answer:?}");
    }
    assert_eq!(stored(&reader), ["first"], "nothing of the failed batch is stored");
    assert!(writer.recent_fault().is_some_and(|fault| fault.contains("out of space")));
    std::fs::remove_file(filler).expect("space freed");
    insert_blob(&writer, 200 * 1024).await.expect("joins").expect("the next save commits, no restart");
    let check: String = reader.query_row("PRAGMA integrity_check", [], |row| row.get(0)).expect("check");
    assert_eq!(check, "ok");
    assert_eq!(stored(&reader).len(), 2);
    drop(writer);
    drop(reader);
}
