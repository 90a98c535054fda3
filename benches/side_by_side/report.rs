//! Results: medians per backend and variant over the rounds, ratios to B0 and B1, the targets
//! checked against them, written as JSON (read by `benches/plot.py`) and as Markdown tables.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::measure::Sample;
use super::scale::ScaleSample;
use super::{Backend, Settings};

/// Medians of one variant on one backend.
#[derive(Clone, Debug)]
pub struct Summary {
    pub backend: Backend,
    pub variant: String,
    pub what: String,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub cpu_us_per_request: f64,
    pub server_core_busy: f64,
    pub load_core_busy: f64,
    /// The largest VmHWM and load-window VmRSS over the rounds, in MB (10^6 bytes).
    pub peak_rss_mb: f64,
    pub load_rss_mb: f64,
    pub errors: u64,
    /// Error statuses ticketd logged over the rounds, and how often.
    pub error_statuses: BTreeMap<u16, u64>,
    /// Median saves per SQLite transaction, where ticketd reports group commits.
    pub saves_per_commit: Option<f64>,
    pub ratio_to_b0: f64,
    pub ratio_to_b1: f64,
}

pub fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 { values[middle] } else { (values[middle - 1] + values[middle]) / 2.0 }
}

fn mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

/// One summary per (backend, variant), in the order given; ratios need B0 and B1 in the set.
pub fn summarize(samples: &[Sample], backends: &[Backend], variants: &[(String, String)]) -> Vec<Summary> {
    let mut summaries = Vec::new();
    for &backend in backends {
        let first = summaries.len();
        for (id, what) in variants {
            let runs: Vec<&Sample> = samples.iter().filter(|s| s.backend == backend && &s.variant == id).collect();
            if runs.is_empty() {
                continue;
            }
            let of = |field: fn(&Sample) -> f64| median(runs.iter().map(|s| field(s)).collect());
            summaries.push(Summary {
                backend,
                variant: id.clone(),
                what: what.clone(),
                rps: of(|s| s.load.per_second()),
                p50_ms: of(|s| s.load.p50_us / 1000.0),
                p99_ms: of(|s| s.load.p99_us / 1000.0),
                p999_ms: of(|s| s.load.p999_us / 1000.0),
                cpu_us_per_request: of(|s| s.cpu_us_per_request),
                server_core_busy: of(|s| s.server_core_busy),
                load_core_busy: of(|s| s.load_core_busy),
                peak_rss_mb: runs.iter().map(|s| mb(s.peak_rss_kib)).fold(0.0, f64::max),
                load_rss_mb: runs.iter().map(|s| mb(s.load_rss_kib)).fold(0.0, f64::max),
                errors: runs.iter().map(|s| s.load.status_errors + s.load.socket_errors).sum(),
                error_statuses: merged_statuses(&runs),
                saves_per_commit: {
                    let ratios: Vec<f64> = runs.iter().filter_map(|s| s.saves_per_commit).collect();
                    (!ratios.is_empty()).then(|| median(ratios))
                },
                ratio_to_b0: f64::NAN,
                ratio_to_b1: f64::NAN,
            });
        }
        let rps_of = |id: &str, all: &[Summary]| all[first..].iter().find(|s| s.variant == id).map(|s| s.rps);
        let (b0, b1) = (rps_of("B0", &summaries), rps_of("B1", &summaries));
        for summary in &mut summaries[first..] {
            summary.ratio_to_b0 = b0.map_or(f64::NAN, |b0| summary.rps / b0);
            summary.ratio_to_b1 = b1.map_or(f64::NAN, |b1| summary.rps / b1);
        }
    }
    summaries
}

fn merged_statuses(runs: &[&Sample]) -> BTreeMap<u16, u64> {
    let mut merged = BTreeMap::new();
    for (status, count) in runs.iter().flat_map(|s| &s.error_statuses) {
        *merged.entry(*status).or_insert(0) += count;
    }
    merged
}

/// `549 (412 × 552)`: wrk's error count over the measured windows, then the statuses the server
/// logged over whole runs (warm-up included).
fn errors_text(summary: &Summary) -> String {
    let statuses: Vec<String> = summary.error_statuses.iter().map(|(status, n)| format!("{status} × {n}")).collect();
    if statuses.is_empty() {
        summary.errors.to_string()
    } else {
        format!("{} ({})", summary.errors, statuses.join(", "))
    }
}

fn statuses_json(statuses: &BTreeMap<u16, u64>) -> Value {
    statuses.iter().map(|(status, count)| (status.to_string(), json!(count))).collect::<serde_json::Map<_, _>>().into()
}

/// The two scale-out arms' median aggregate req/s, and their ratio.
pub fn scale_medians(samples: &[ScaleSample]) -> Option<(f64, f64, f64)> {
    let arm = |n: usize| median(samples.iter().filter(|s| s.instances == n).map(ScaleSample::total_rps).collect());
    let (one, two) = (arm(1), arm(2));
    (one.is_finite() && two.is_finite()).then_some((one, two, two / one))
}

/// CPU per request of ticketd and of PostgreSQL in each arm (medians), and the number of
/// ticketd instances, each on a core of its own, that one core of PostgreSQL can serve.
fn scale_cpu_markdown(scale: &[ScaleSample]) -> String {
    let mut out = String::from(
        "\n| instances | ticketd CPU µs/req | PostgreSQL CPU µs/save | instances one PostgreSQL core serves |\n|---|--:|--:|--:|\n",
    );
    for instances in [1, 2] {
        let arm: Vec<&ScaleSample> = scale.iter().filter(|s| s.instances == instances).collect();
        let ticketd = median(arm.iter().map(|s| s.ticketd_cpu_us).collect());
        let postgres = median(arm.iter().map(|s| s.postgres_cpu_us).collect());
        let _ = writeln!(out, "| {instances} | {ticketd:.0} | {postgres:.0} | {:.1} |", ticketd / postgres);
    }
    out
}

/// A target from the performance brief, checked against this run.
#[derive(Clone, Debug)]
pub struct Check {
    pub target: String,
    pub measured: String,
    pub met: bool,
}

/// Every target this run has the data for.
pub fn checks(summaries: &[Summary], scale: &[ScaleSample]) -> Vec<Check> {
    let find = |backend: Backend, id: &str| summaries.iter().find(|s| s.backend == backend && s.variant == id);
    let mut checks = Vec::new();
    let mut ratio_check = |target: &str, value: Option<f64>, limit: f64, at_least: bool, unit: &str| {
        if let Some(value) = value.filter(|v| v.is_finite()) {
            let met = if at_least { value >= limit } else { value <= limit };
            checks.push(Check { target: target.into(), measured: format!("{value:.2}{unit}"), met });
        }
    };
    let b3_over_b1 = |backend| find(backend, "B3").map(|s| s.ratio_to_b1);
    ratio_check("B3 ≥ 0.9 × B1 req/s, SQLite NORMAL", b3_over_b1(Backend::SqliteNormal), 0.9, true, "×");
    ratio_check("B3 ≥ 0.8 × B1 req/s, PostgreSQL", b3_over_b1(Backend::Postgres), 0.8, true, "×");
    ratio_check("B3 ≥ 2 × B1 req/s, SQLite FULL", b3_over_b1(Backend::SqliteFull), 2.0, true, "×");
    for backend in Backend::ALL {
        let p99 = |id| find(backend, id).map(|s| s.p99_ms);
        let ratio = p99("B3").zip(p99("B1")).map(|(b3, b1)| b3 / b1);
        ratio_check(&format!("p99 of B3 ≤ p99 of B1, {}", backend.label()), ratio, 1.0, false, "×");
    }
    for backend in Backend::ALL {
        let ticketd =
            summaries.iter().filter(|s| s.backend == backend && ["B3", "B4", "B5", "B6"].contains(&s.variant.as_str()));
        let peak = ticketd.map(|s| s.peak_rss_mb).reduce(f64::max);
        ratio_check(&format!("ticketd peak RSS (VmHWM) ≤ 40 MB, {}", backend.label()), peak, 40.0, false, " MB");
    }
    for backend in Backend::ALL {
        let cpu = |id| find(backend, id).map(|s| s.cpu_us_per_request);
        let ratio = cpu("B5").zip(cpu("B3")).map(|(b5, b3)| b5 / b3);
        ratio_check(&format!("B5 CPU per request ≤ 1.3 × B3's, {}", backend.label()), ratio, 1.3, false, "×");
    }
    let scaled = scale_medians(scale).map(|(_, _, ratio)| ratio);
    ratio_check("two instances ≥ 1.6 × one, PostgreSQL", scaled, 1.6, true, "×");
    checks
}

fn number(value: f64) -> Value {
    if value.is_finite() { json!((value * 1000.0).round() / 1000.0) } else { Value::Null }
}

fn summary_json(s: &Summary) -> Value {
    json!({
        "backend": s.backend.name(), "variant": s.variant, "what": s.what,
        "rps": number(s.rps), "p50_ms": number(s.p50_ms), "p99_ms": number(s.p99_ms), "p999_ms": number(s.p999_ms),
        "cpu_us_per_request": number(s.cpu_us_per_request),
        "server_core_busy": number(s.server_core_busy), "load_core_busy": number(s.load_core_busy),
        "peak_rss_mb": number(s.peak_rss_mb), "load_rss_mb": number(s.load_rss_mb),
        "errors": s.errors, "error_statuses": statuses_json(&s.error_statuses),
        "saves_per_commit": s.saves_per_commit.map(number),
        "ratio_to_b0": number(s.ratio_to_b0), "ratio_to_b1": number(s.ratio_to_b1),
    })
}

fn sample_json(s: &Sample) -> Value {
    json!({
        "backend": s.backend.name(), "variant": s.variant, "round": s.round,
        "requests": s.load.requests, "seconds": number(s.load.seconds), "rps": number(s.load.per_second()),
        "p50_us": s.load.p50_us, "p99_us": s.load.p99_us, "p999_us": s.load.p999_us, "max_us": s.load.max_us,
        "status_errors": s.load.status_errors, "socket_errors": s.load.socket_errors,
        "cpu_us_per_request": number(s.cpu_us_per_request),
        "server_core_busy": number(s.server_core_busy), "load_core_busy": number(s.load_core_busy),
        "peak_rss_kib": s.peak_rss_kib, "load_rss_kib": s.load_rss_kib,
        "saves_per_commit": s.saves_per_commit.map(number), "error_statuses": statuses_json(&s.error_statuses),
        "first_server_error": s.first_server_error,
    })
}

/// The whole run as one JSON document.
pub fn to_json(settings: &Settings, summaries: &[Summary], samples: &[Sample], scale: &[ScaleSample]) -> Value {
    let checks = checks(summaries, scale);
    let scale_medians = scale_medians(scale);
    json!({
        "settings": settings.to_json(),
        "machine": machine_json(),
        "summaries": summaries.iter().map(summary_json).collect::<Vec<_>>(),
        "scale_out": {
            "one_instance_rps": scale_medians.map(|m| number(m.0)),
            "two_instances_rps": scale_medians.map(|m| number(m.1)),
            "ratio": scale_medians.map(|m| number(m.2)),
            "runs": scale.iter().map(|s| json!({
                "round": s.round, "instances": s.instances, "total_rps": number(s.total_rps()),
                "stream_rps": s.stream_rps.iter().map(|v| number(*v)).collect::<Vec<_>>(),
                "p99_us": s.p99_us, "errors": s.errors,
                "ticketd_cpu_us_per_request": number(s.ticketd_cpu_us),
                "postgres_cpu_us_per_request": number(s.postgres_cpu_us),
            })).collect::<Vec<_>>(),
        },
        "targets": checks.iter().map(|c| json!({"target": c.target, "measured": c.measured, "met": c.met})).collect::<Vec<_>>(),
        "samples": samples.iter().map(sample_json).collect::<Vec<_>>(),
    })
}

fn machine_json() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model =
        cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|l| l.trim_start_matches([' ', '\t', ':']));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    // Other work on a shared machine skews every figure; the load averages say how much there was.
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    json!({
        "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "cpu_model": model,
        "kernel": kernel.trim(),
        "nice": super::procs::niceness(),
        "loadavg_1_5_15_min_at_end": loadavg.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    })
}

/// The run's tables in Markdown: per backend, throughput and latency, then what it cost.
pub fn to_markdown(summaries: &[Summary], scale: &[ScaleSample]) -> String {
    let mut out = String::new();
    for backend in Backend::ALL {
        let rows: Vec<&Summary> = summaries.iter().filter(|s| s.backend == backend).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {}\n", backend.label());
        out.push_str("| variant | req/s | p50 ms | p99 ms | p99.9 ms | ÷ B0 | ÷ B1 | errors (statuses) |\n");
        out.push_str("|---|--:|--:|--:|--:|--:|--:|---|\n");
        for s in &rows {
            let _ = writeln!(
                out,
                "| {} {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.3} | {:.2} | {} |",
                s.variant,
                s.what,
                s.rps,
                s.p50_ms,
                s.p99_ms,
                s.p999_ms,
                s.ratio_to_b0,
                s.ratio_to_b1,
                errors_text(s)
            );
        }
        out.push_str(
            "\n| variant | CPU µs/req | core 0 busy | core 1 busy | peak RSS MB | RSS in load MB | saves/commit |\n",
        );
        out.push_str("|---|--:|--:|--:|--:|--:|--:|\n");
        for s in &rows {
            let per_commit = s.saves_per_commit.map_or("–".into(), |n| format!("{n:.1}"));
            let _ = writeln!(
                out,
                "| {} | {:.1} | {:.0} % | {:.0} % | {:.1} | {:.1} | {per_commit} |",
                s.variant,
                s.cpu_us_per_request,
                s.server_core_busy * 100.0,
                s.load_core_busy * 100.0,
                s.peak_rss_mb,
                s.load_rss_mb
            );
        }
    }
    if let Some((one, two, ratio)) = scale_medians(scale) {
        out.push_str("\n### Scale-out, PostgreSQL (B3, nothing pinned)\n\n| instances | aggregate req/s | ratio |\n|---|--:|--:|\n");
        let _ = writeln!(out, "| 1 | {one:.0} | 1.00 |\n| 2 | {two:.0} | {ratio:.2} |");
        out.push_str(&scale_cpu_markdown(scale));
    }
    out.push_str("\n### Targets\n\n| target | measured | met |\n|---|--:|---|\n");
    for check in checks(summaries, scale) {
        let _ =
            writeln!(out, "| {} | {} | {} |", check.target, check.measured, if check.met { "yes" } else { "**no**" });
    }
    out
}
