//! Scale-out on PostgreSQL: the same offered load (two wrk processes, each at the run's
//! connection count, saving messages 1 and 2) against one ticketd instance, then against two
//! instances on two ports sharing the database. Nothing is pinned here: two servers, two load
//! generators and PostgreSQL share the machine's cores.

use super::load::{self, RequestShape};
use super::measure::Bench;
use super::procs::Server;
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
    let outcome = load_streams(bench, &streams);
    servers.into_iter().for_each(Server::stop);
    let results = outcome?;
    Ok(ScaleSample {
        round,
        instances,
        stream_rps: results.iter().map(load::LoadResult::per_second).collect(),
        p99_us: results.iter().map(|result| result.p99_us).collect(),
        errors: results.iter().map(|result| result.status_errors + result.socket_errors).sum(),
    })
}

/// Checks each stream, warms them up together, then measures them together.
fn load_streams(bench: &Bench, streams: &[(u16, RequestShape)]) -> Result<Vec<load::LoadResult>, String> {
    for (port, shape) in streams {
        load::check(*port, shape)?;
    }
    let wrk = bench.wrk(None);
    let mut phases = vec![bench.settings.seconds];
    if bench.settings.warmup > 0 {
        phases.insert(0, bench.settings.warmup);
    }
    let mut last = Vec::new();
    for seconds in phases {
        let running: Vec<_> = streams.iter().map(|(port, shape)| wrk.spawn(*port, shape, seconds)).collect();
        last = running.into_iter().map(|child| load::finish(child?)).collect::<Result<_, _>>()?;
    }
    Ok(last)
}
