//! A small tmpfs for tests of a full disk: mounted for the test, unmounted when dropped. The
//! library's unit tests and the HTTP fault tests (`tests/api/faults_sqlite.rs`) share it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted on a temporary directory.
pub struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    /// Mounts a tmpfs of `size` (`mount`'s syntax, e.g. `2m`); `None` with a message where
    /// mounting is not allowed (not root, no privilege), a failure under `CI=true`.
    pub fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output();
        match mounted {
            Ok(output) if output.status.success() => Some(Self(dir)),
            other => {
                let why =
                    other.map_or_else(|err| err.to_string(), |out| String::from_utf8_lossy(&out.stderr).into_owned());
                assert!(std::env::var("CI").as_deref() != Ok("true"), "cannot mount a tmpfs under CI: {why}");
                eprintln!("skipped: cannot mount a tmpfs here ({})", why.trim());
                None
            }
        }
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// Writes a file until the disk is full, then shrinks it to leave `free` bytes; returns it.
    pub fn fill_leaving(&self, free: u64) -> PathBuf {
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).expect("filler");
        let chunk = vec![0x5a_u8; 64 * 1024];
        let mut written = 0_u64;
        loop {
            match file.write(&chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => written += n as u64,
            }
        }
        file.set_len(written.saturating_sub(free)).expect("shrink the filler");
        path
    }

    /// Remounts it `ro` or `rw`; whether that worked.
    pub fn remount(&self, mode: &str) -> bool {
        let options = format!("remount,{mode}");
        Command::new("mount").args(["-o", &options]).arg(self.path()).status().is_ok_and(|s| s.success())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // A test that left it read-only gets it back writable first, as it found it.
        let _ = self.remount("rw");
        let unmounted = Command::new("umount").arg(self.path()).status().is_ok_and(|status| status.success());
        if !unmounted {
            // Still in use by something the test left running: detach it now, freed once closed.
            let _ = Command::new("umount").arg("-l").arg(self.path()).status();
        }
    }
}
