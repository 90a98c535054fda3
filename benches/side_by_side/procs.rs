//! Server processes of the benchmark (started pinned, stopped by pid) and what /proc says about
//! them: CPU time, peak and current resident memory, and how busy each core was.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A server this benchmark started; stopped (and its log kept for errors) by [`Server::stop`].
pub struct Server {
    child: Child,
    pub pid: u32,
    pub port: u16,
    log: PathBuf,
}

/// A free loopback port (bound and released; the server binds it right after).
pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// `taskset -c CPUS program args…`, or the program alone when `cpus` is `None`.
pub fn pinned(cpus: Option<&str>, program: &Path) -> Command {
    match cpus {
        Some(cpus) => {
            let mut command = Command::new("taskset");
            command.args(["-c", cpus]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

impl Server {
    /// Starts `command` (which must listen on `port`), its stderr going to `log` (truncated, so
    /// per-request logging cannot fill the disk over a long run), and waits until it accepts.
    pub fn start(mut command: Command, port: u16, log: &Path) -> Result<Self, String> {
        let log_file = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log_file);
        // The caller's log filter or ticketd settings must not change what is measured.
        command.env_remove("RUST_LOG");
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("TICKETD_")) {
            command.env_remove(name);
        }
        let child = command.spawn().map_err(|e| format!("cannot start {command:?}: {e}"))?;
        let mut server = Self { pid: child.id(), child, port, log: log.to_path_buf() };
        server.wait_listening()?;
        Ok(server)
    }

    fn wait_listening(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("server exited with {status} before listening:\n{}", self.log_tail()));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Err(format!("server did not listen on port {} within 60 s:\n{}", self.port, self.log_tail()))
    }

    /// The last lines of the server's log, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// Stops the server (see [`Server::halt`]).
    pub fn stop(mut self) {
        self.halt();
    }

    /// Stops the server, then reads from its complete log the error statuses it answered with
    /// and the first line it logged at ERROR level (why a 500 happened).
    pub fn stop_counting_errors(mut self) -> (BTreeMap<u16, u64>, Option<String>) {
        self.halt();
        let log = without_ansi_colours(&std::fs::read_to_string(&self.log).unwrap_or_default());
        let first_error = log.lines().find(|line| line.contains(" ERROR ")).map(str::to_owned);
        (error_statuses(&log), first_error)
    }

    /// SIGTERM (ticketd finishes in-flight work and exits), then SIGKILL after 10 s.
    fn halt(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.pid.to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The non-2xx/3xx statuses in a server log and how often (ticketd logs every answer as
/// `status=NNN`; the floor server logs nothing).
fn error_statuses(log: &str) -> BTreeMap<u16, u64> {
    let mut counts = BTreeMap::new();
    for after in log.split("status=").skip(1) {
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(status) = digits.parse::<u16>()
            && !(200..400).contains(&status)
        {
            *counts.entry(status).or_insert(0) += 1;
        }
    }
    counts
}

/// The text without terminal colour codes (`ESC [ … m`), which ticketd's log has around names.
fn without_ansi_colours(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            plain.push(c);
        }
    }
    plain
}

/// Peak (VmHWM) and current (VmRSS) resident memory of a process, in KiB.
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// The fields of /proc/PID/stat after the command name (which may contain spaces).
fn stat_fields(pid: u32) -> Option<Vec<u64>> {
    let mut text = String::new();
    File::open(format!("/proc/{pid}/stat")).ok()?.read_to_string(&mut text).ok()?;
    let after_name = &text[text.rfind(')')? + 2..];
    // Index i is proc(5)'s field i + 3: 1 is the parent, 11–14 are utime, stime, cutime and
    // cstime. Field 3 (the state) is a letter and reads as 0.
    Some(after_name.split_whitespace().map(|f| f.parse().unwrap_or(0)).collect())
}

/// CPU time, in clock ticks, of a process (all its threads), of its reaped children, and of
/// its live children: for PostgreSQL's postmaster that is every backend, past and present.
pub fn tree_ticks(pid: u32) -> u64 {
    let own = stat_fields(pid).map_or(0, |f| f[11] + f[12] + f[13] + f[14]);
    let children: u64 = children_of(pid).into_iter().filter_map(stat_fields).map(|f| f[11] + f[12]).sum();
    own + children
}

/// Pids whose parent is `parent`.
pub fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| stat_fields(pid).is_some_and(|f| f[1] == u64::from(parent)))
        .collect()
}

/// This process's nice value (inherited by everything it starts).
pub fn niceness() -> i64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rfind(')').map_or("", |at| &stat[at + 1..]);
    // Field 19 of proc(5); fields start at 3 after the name.
    after_name.split_whitespace().nth(16).and_then(|nice| nice.parse().ok()).unwrap_or(0)
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on every common Linux).
pub fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// Busy and total jiffies of one core, from /proc/stat.
pub fn core_jiffies(core: usize) -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let label = format!("cpu{core} ");
    let Some(line) = stat.lines().find(|line| line.starts_with(&label)) else { return (0, 0) };
    let values: Vec<u64> = line.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    let total: u64 = values.iter().sum();
    // idle and iowait are the 4th and 5th columns.
    let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

/// The share of time a core was busy between two [`core_jiffies`] readings.
pub fn busy_share(before: (u64, u64), after: (u64, u64)) -> f64 {
    let total = after.1.saturating_sub(before.1);
    if total == 0 { 0.0 } else { after.0.saturating_sub(before.0) as f64 / total as f64 }
}

/// Samples a process's resident memory every 100 ms while load runs; VmHWM alone would also
/// count start-up (e.g. the one argon2 verification before the Basic cache is warm).
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: JoinHandle<()>,
}

impl RssSampler {
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (stop_flag, peak_seen) = (stop.clone(), peak.clone());
        let thread = std::thread::spawn(move || {
            while !stop_flag.load(Ordering::Relaxed) {
                peak_seen.fetch_max(memory_kib(pid).1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Self { stop, peak, thread }
    }

    /// The largest VmRSS seen, in KiB.
    pub fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
        self.peak.load(Ordering::Relaxed)
    }
}
