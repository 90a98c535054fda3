//! Connection hygiene below HTTP: at most `max_connections` open at once, a connection with no
//! traffic either way for `idle_timeout` is closed (so idle clients cannot hold every slot), and
//! a request must be read within `read_timeout` of its first byte (so a client dribbling its
//! headers or body a byte at a time cannot hold a slot either).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::{Instant, Sleep};

/// Bounds on connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub idle_timeout: Duration,
    pub read_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self { max_connections: 1024, idle_timeout: Duration::from_secs(60), read_timeout: Duration::from_secs(60) }
    }
}

/// A listener that hands out [`GuardedStream`]s, waiting for a free slot before accepting.
pub struct GuardedListener {
    /// `None` once closed: new clients are refused rather than left in the backlog.
    inner: Option<TcpListener>,
    addr: io::Result<SocketAddr>,
    slots: Arc<Semaphore>,
    limits: ConnectionLimits,
    closing: Option<watch::Receiver<bool>>,
}

impl GuardedListener {
    pub fn new(inner: TcpListener, limits: ConnectionLimits) -> Self {
        let addr = inner.local_addr();
        let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        Self { inner: Some(inner), addr, slots, limits, closing: None }
    }

    /// Closes the listening socket once `closing` turns true (connections already accepted
    /// are not affected).
    pub fn close_on(self, closing: watch::Receiver<bool>) -> Self {
        Self { closing: Some(closing), ..self }
    }

    /// The next connection, or `None` when the listener closed meanwhile.
    async fn next(&mut self) -> Option<io::Result<(TcpStream, SocketAddr)>> {
        let inner = self.inner.as_ref()?;
        let Some(closing) = self.closing.as_mut() else { return Some(inner.accept().await) };
        tokio::select! {
            accepted = inner.accept() => Some(accepted),
            // A dropped sender means the server is gone: close as well.
            _ = closing.wait_for(|closing| *closing) => None,
        }
    }
}

impl axum::serve::Listener for GuardedListener {
    type Io = GuardedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // The semaphore is never closed, so acquiring only waits.
        let Ok(slot) = self.slots.clone().acquire_owned().await else { std::future::pending().await };
        loop {
            match self.next().await {
                Some(Ok((stream, addr))) => {
                    let _ = stream.set_nodelay(true);
                    return (GuardedStream::new(stream, slot, self.limits), addr);
                }
                // Out of file descriptors and the like: wait a moment rather than spin.
                Some(Err(err)) => {
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                None => {
                    self.inner = None;
                    std::future::pending::<()>().await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        match &self.addr {
            Ok(addr) => Ok(*addr),
            Err(err) => Err(io::Error::new(err.kind(), err.to_string())),
        }
    }
}

/// A TCP stream that fails its pending read once a deadline passes: `idle_timeout` after the
/// last traffic, or `read_timeout` after the first byte of a request the server has not yet
/// started to answer.
pub struct GuardedStream {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
    limits: ConnectionLimits,
    deadline: Pin<Box<Sleep>>,
    /// When the bytes read since the last write began to arrive.
    reading_since: Option<Instant>,
}

impl GuardedStream {
    fn new(stream: TcpStream, slot: OwnedSemaphorePermit, limits: ConnectionLimits) -> Self {
        let deadline = Box::pin(tokio::time::sleep(limits.idle_timeout));
        Self { stream, _slot: slot, limits, deadline, reading_since: None }
    }

    fn rearm(&mut self) {
        let idle = Instant::now() + self.limits.idle_timeout;
        let due = match self.reading_since {
            Some(start) => idle.min(start + self.limits.read_timeout),
            None => idle,
        };
        self.deadline.as_mut().reset(due);
    }
}

impl AsyncRead for GuardedStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.reading_since.get_or_insert_with(Instant::now);
                    self.rearm();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "connection timed out"))),
                Poll::Pending => Poll::Pending,
            },
            other => other,
        }
    }
}

impl AsyncWrite for GuardedStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            // The server is answering: the request was read in time.
            self.reading_since = None;
            self.rearm();
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            self.reading_since = None;
            self.rearm();
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
