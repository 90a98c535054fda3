//! Scale-out on PostgreSQL: the same offered load (two wrk processes, each at the run's
//! connection count, saving messages 1 and 2) against one ticketd instance, then against two
//! instances on two ports sharing the database. Nothing is pinned here: two servers, two load
//! generators and PostgreSQL share the machine's cores.

use super::load::{self, RequestShape};
use super::measure::Bench;
use super::procs::{self, Server};
use super::variants::{Target, Variant};
use super::{Backend, Settings};

/// One run of one arm.
#[derive(Clone, Debug)]
pub struct ScaleSample {
    pub round: usize,
    pub instances: usize,
    /// req/s of each load stream (message 1, message 2).
    pub stream_rps: Vec<f64>,
    pub p99_us: Vec<f64>,
    pub errors: u64,
    /// CPU time per request of the ticketd instances together, and of PostgreSQL's processes.
    pub ticketd_cpu_us: f64,
    pub postgres_cpu_us: f64,
}

impl ScaleSample {
    pub fn total_rps(&self) -> f64 {
        self.stream_rps.iter().sum()
    }
}

/// Both arms, alternating which goes first from round to round.
pub fn run(bench: &Bench, b3: &Variant) -> Result<Vec<ScaleSample>, String> {
    let Some(postgres) = &bench.postgres else { return Ok(Vec::new()) };
    postgres.unpin()?;
    let Settings { rounds, .. } = bench.settings;
    let mut samples = Vec::new();
    for round in 0..rounds {
        let arms = if round % 2 == 0 { [1, 2] } else { [2, 1] };
        for instances in arms {
            eprintln!("round {}/{rounds}: scale-out, {instances} instance(s)", round + 1);
            samples.push(measure(bench, b3, instances, round)?);
        }
    }
    Ok(samples)
}

fn measure(bench: &Bench, b3: &Variant, instances: usize, round: usize) -> Result<ScaleSample, String> {
    let mut servers: Vec<Server> = Vec::new();
    for _ in 0..instances {
        match bench.start(Target::Ticketd, Backend::Postgres, None) {
            Ok(server) => servers.push(server),
            Err(why) => {
                servers.into_iter().for_each(Server::stop);
                return Err(why);
            }
        }
    }
    let streams: Vec<(u16, RequestShape)> = [1, 2]
        .into_iter()
        .enumerate()
        .map(|(stream, message)| {
            let shape = RequestShape { path: format!("/api/v1/TicketMessage/{message}"), ..b3.shape.clone() };
            (servers[stream % instances].port, shape)
        })
        .collect();
    let pids: Vec<u32> = servers.iter().map(|server| server.pid).collect();
    let postmaster = bench.postgres.as_ref().and_then(|server| server.postmaster_pid().ok());
    let ticks = || {
        let ticketd = pids.iter().map(|pid| procs::tree_ticks(*pid)).sum::<u64>();
        (ticketd, postmaster.map_or(0, procs::tree_ticks))
    };
    let outcome = load_streams(bench, &streams, &ticks);
    servers.into_iter().for_each(Server::stop);
    let (results, (ticketd_ticks, postgres_ticks)) = outcome?;
    let requests = results.iter().map(|result| result.requests).sum::<u64>().max(1) as f64;
    let micros = |ticks: u64| ticks as f64 / bench.ticks_per_second * 1e6 / requests;
    Ok(ScaleSample {
        round,
        instances,
        stream_rps: results.iter().map(load::LoadResult::per_second).collect(),
        p99_us: results.iter().map(|result| result.p99_us).collect(),
        errors: results.iter().map(|result| result.status_errors + result.socket_errors).sum(),
        ticketd_cpu_us: micros(ticketd_ticks),
        postgres_cpu_us: micros(postgres_ticks),
    })
}

/// Checks each stream, warms them up together, then measures them together; with the CPU ticks
/// (ticketd's, PostgreSQL's) spent in the measured phase.
fn load_streams(
    bench: &Bench,
    streams: &[(u16, RequestShape)],
    ticks: &dyn Fn() -> (u64, u64),
) -> Result<(Vec<load::LoadResult>, (u64, u64)), String> {
    for (port, shape) in streams {
        load::check(*port, shape)?;
    }
    let wrk = bench.wrk(None);
    let mut phases = vec![bench.settings.seconds];
    if bench.settings.warmup > 0 {
        phases.insert(0, bench.settings.warmup);
    }
    let mut last = (Vec::new(), (0, 0));
    for seconds in phases {
        let before = ticks();
        let running: Vec<_> = streams.iter().map(|(port, shape)| wrk.spawn(*port, shape, seconds)).collect();
        let results = running.into_iter().map(|child| load::finish(child?)).collect::<Result<_, _>>()?;
        let after = ticks();
        last = (results, (after.0 - before.0, after.1 - before.1));
    }
    Ok(last)
}
