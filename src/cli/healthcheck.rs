//! `ticketd healthcheck`: a dependency-free probe for container health checks (the runtime
//! image has no curl).

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

pub async fn run(args: HealthcheckArgs) -> Result<(), String> {
    let probe = async {
        let mut stream = TcpStream::connect(&args.addr).await.map_err(|e| e.to_string())?;
        let request = format!("GET {} HTTP/1.0\r\nHost: {}\r\n\r\n", args.path, args.addr);
        stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await.map_err(|e| e.to_string())?;
        if head.ends_with(b" 200") { Ok(()) } else { Err(format!("unhealthy: {}", String::from_utf8_lossy(&head))) }
    };
    tokio::time::timeout(Duration::from_secs(5), probe).await.map_err(|_| "timed out".to_owned())?
}
