//! `ticketd healthcheck`: a dependency-free probe for container health checks (the runtime
//! image has no curl).

use anyhow::anyhow;
use std::time::Duration;

use clap::Args;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// The server's address (host:port).
    #[arg(long, env = "TICKETD_HEALTHCHECK_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The path to probe: `/health` (database answers), `/health/ready` or `/health/live`.
    #[arg(long, env = "TICKETD_HEALTHCHECK_PATH", default_value = "/health")]
    pub path: String,
}

pub async fn run(args: HealthcheckArgs) -> anyhow::Result<()> {
    let probe = async {
        let mut stream = TcpStream::connect(&args.addr).await?;
        let request = format!("GET {} HTTP/1.0\r\nHost: {}\r\n\r\n", args.path, args.addr);
        stream.write_all(request.as_bytes()).await?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await?;
        if head.ends_with(b" 200") { Ok(()) } else { Err(anyhow!("unhealthy: {}", String::from_utf8_lossy(&head))) }
    };
    tokio::time::timeout(Duration::from_secs(5), probe).await.map_err(|_| anyhow!("timed out"))?
}
