//! Load from a second process: wrk driven by `benches/side_by_side.lua`, one checked request
//! before it, and the parsing of the result line that both wrk and the storage loop print.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

/// `Authorization` for the demo login `tje0` / `Tje0`.
pub const DEMO_BASIC_AUTH: &str = "Basic dGplMDpUamUw";

/// One request shape. `body` is a template: wrk replaces each `{n}` with a value unique to the
/// request, so every save changes the stored row (an unchanged row may cost SQLite no write).
#[derive(Clone, Debug)]
pub struct RequestShape {
    pub method: &'static str,
    pub path: String,
    pub content_type: &'static str,
    pub accept: Option<&'static str>,
    pub basic_auth: bool,
    pub body: String,
}

/// What one load run measured. Latencies in µs.
#[derive(Clone, Debug, Default)]
pub struct LoadResult {
    pub requests: u64,
    pub seconds: f64,
    pub status_errors: u64,
    pub socket_errors: u64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    pub max_us: f64,
    /// Further `name=value` pairs of the result line (the storage loop reports its CPU there).
    pub extra: BTreeMap<String, f64>,
}

impl LoadResult {
    /// Successful (2xx/3xx) responses per second: a failed save is not throughput.
    pub fn per_second(&self) -> f64 {
        let answered = self.requests.saturating_sub(self.status_errors);
        if self.seconds > 0.0 { answered as f64 / self.seconds } else { 0.0 }
    }
}

/// Reads the `BENCH_RESULT name=value …` line out of a process's output.
pub fn parse_result(output: &str) -> Result<LoadResult, String> {
    let line = output
        .lines()
        .find_map(|line| line.strip_prefix("BENCH_RESULT "))
        .ok_or_else(|| format!("no BENCH_RESULT line in:\n{output}"))?;
    let mut values: BTreeMap<String, f64> = line
        .split_whitespace()
        .filter_map(|pair| pair.split_once('='))
        .filter_map(|(name, value)| Some((name.to_owned(), value.parse().ok()?)))
        .collect();
    let mut take = |name: &str| values.remove(name).ok_or_else(|| format!("BENCH_RESULT without {name}: {line}"));
    Ok(LoadResult {
        requests: take("requests")? as u64,
        seconds: take("duration_us")? / 1e6,
        status_errors: take("status_errors")? as u64,
        socket_errors: take("socket_errors")? as u64,
        p50_us: take("p50_us")?,
        p99_us: take("p99_us")?,
        p999_us: take("p999_us")?,
        max_us: take("max_us")?,
        extra: values,
    })
}

/// How wrk is run: its script, connections, threads and the cores it may use.
pub struct Wrk<'a> {
    pub script: &'a Path,
    pub connections: u32,
    pub threads: u32,
    pub cpus: Option<&'a str>,
}

impl Wrk<'_> {
    /// Starts wrk against `port` for `seconds`; [`finish`] collects it.
    pub fn spawn(&self, port: u16, shape: &RequestShape, seconds: u64) -> Result<Child, String> {
        let mut command = super::procs::pinned(self.cpus, Path::new("wrk"));
        command
            .arg(format!("-t{}", self.threads.min(self.connections)))
            .arg(format!("-c{}", self.connections))
            .arg(format!("-d{seconds}s"))
            .args(["--timeout", "10s", "-s"])
            .arg(self.script)
            .arg(format!("http://127.0.0.1:{port}/"))
            .env("BENCH_METHOD", shape.method)
            .env("BENCH_PATH", &shape.path)
            .env("BENCH_CONTENT_TYPE", shape.content_type)
            .env("BENCH_ACCEPT", shape.accept.unwrap_or(""))
            .env("BENCH_AUTH", if shape.basic_auth { DEMO_BASIC_AUTH } else { "" })
            .env("BENCH_BODY", &shape.body)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command.spawn().map_err(|e| format!("cannot start wrk (is it installed?): {e}"))
    }

    pub fn run(&self, port: u16, shape: &RequestShape, seconds: u64) -> Result<LoadResult, String> {
        finish(self.spawn(port, shape, seconds)?)
    }
}

/// Waits for a wrk started by [`Wrk::spawn`] and parses its result.
pub fn finish(child: Child) -> Result<LoadResult, String> {
    let output = child.wait_with_output().map_err(|e| format!("wrk: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("wrk failed: {stdout}{}", String::from_utf8_lossy(&output.stderr)));
    }
    parse_result(&stdout)
}

/// Sends the shape once (with `{n}` = "check") and fails unless the answer is 2xx: a run that
/// only measured 4xx answers would be worthless.
pub fn check(port: u16, shape: &RequestShape) -> Result<(), String> {
    let (status, answer) = send_once(port, shape).map_err(|e| format!("{} {}: {e}", shape.method, shape.path))?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("{} {} answered {status}: {answer}", shape.method, shape.path))
    }
}

/// The shape as it is sent to this server: R's body is the message a GET answers now.
pub fn resolved(port: u16, id: &str, shape: &RequestShape) -> Result<RequestShape, String> {
    if id != "R" {
        return Ok(shape.clone());
    }
    let get = RequestShape { method: "GET", body: String::new(), ..shape.clone() };
    let mut answer = send_once(port, &get).map_err(|e| format!("GET {}: {e}", shape.path))?.1;
    if !answer.contains("\"MessageHeaders\":[{") {
        check(port, &super::variants::round_trip_seed())?;
        answer = send_once(port, &get).map_err(|e| format!("GET {}: {e}", shape.path))?.1;
    }
    let json = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    Ok(RequestShape { body: super::variants::round_trip_body(json)?, ..shape.clone() })
}

/// `(transactions, saves)` of ticketd's group-commit writer so far, from `/metrics`;
/// `None` where it reports none (the floor server, builds without the writer).
pub fn group_commit_counts(port: u16) -> Option<(u64, u64)> {
    let shape = RequestShape {
        method: "GET",
        path: "/metrics".into(),
        content_type: "text/plain",
        accept: None,
        basic_auth: false,
        body: String::new(),
    };
    let (status, text) = send_once(port, &shape).ok()?;
    let counter = |name: &str| text.lines().find_map(|line| line.strip_prefix(name)?.trim().parse().ok());
    let counts = (counter("ticketd_group_commit_transactions_total ")?, counter("ticketd_group_commit_saves_total ")?);
    (status == 200).then_some(counts)
}

fn send_once(port: u16, shape: &RequestShape) -> std::io::Result<(u16, String)> {
    let body = shape.body.replace("{n}", "check");
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        shape.method,
        shape.path.replace(super::variants::SPREAD_ID, "1"),
        shape.content_type,
        body.len()
    );
    if let Some(accept) = shape.accept {
        head.push_str(&format!("Accept: {accept}\r\n"));
    }
    if shape.basic_auth {
        head.push_str(&format!("Authorization: {DEMO_BASIC_AUTH}\r\n"));
    }
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.write_all(format!("{head}\r\n{body}").as_bytes())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    Ok((status, answer))
}
