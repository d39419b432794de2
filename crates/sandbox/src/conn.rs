//! Connections that a handler can cut, for the `reset` and `commit_then_hang` faults.
//!
//! A handler cannot reach its TCP socket through axum, so every accepted socket is wrapped in
//! [`LineIo`] sharing a flag with a [`Line`] that handlers get as `ConnectInfo`. Once the flag
//! is set, every read and write fails: hyper gives up on the connection before a single byte
//! of the answer is written, and the client sees a transport error, not an HTTP answer.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

pub struct SandboxListener(pub TcpListener);

pub struct LineIo {
    stream: TcpStream,
    cut: Arc<AtomicBool>,
}

/// The handler's handle on its connection.
#[derive(Clone, Debug)]
pub struct Line {
    cut: Arc<AtomicBool>,
    pub peer: SocketAddr,
}

impl Line {
    /// Drops the connection without an answer.
    pub fn sever(&self) {
        self.cut.store(true, Ordering::SeqCst);
    }
}

impl Listener for SandboxListener {
    type Io = LineIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (LineIo, SocketAddr) {
        loop {
            match self.0.accept().await {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let io = LineIo {
                        stream,
                        cut: Arc::new(AtomicBool::new(false)),
                    };
                    return (io, peer);
                }
                // Out of file descriptors and the like: wait instead of spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

impl Connected<IncomingStream<'_, SandboxListener>> for Line {
    fn connect_info(stream: IncomingStream<'_, SandboxListener>) -> Line {
        Line {
            cut: stream.io().cut.clone(),
            peer: *stream.remote_addr(),
        }
    }
}

impl LineIo {
    fn severed(&self) -> Option<io::Error> {
        self.cut.load(Ordering::SeqCst).then(|| {
            io::Error::new(
                io::ErrorKind::ConnectionReset,
                "sandbox fault: connection reset",
            )
        })
    }
}

impl AsyncRead for LineIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        match me.severed() {
            Some(e) => Poll::Ready(Err(e)),
            None => Pin::new(&mut me.stream).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for LineIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        match me.severed() {
            Some(e) => Poll::Ready(Err(e)),
            None => Pin::new(&mut me.stream).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        match me.severed() {
            Some(e) => Poll::Ready(Err(e)),
            None => Pin::new(&mut me.stream).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        match me.severed() {
            Some(e) => Poll::Ready(Err(e)),
            None => Pin::new(&mut me.stream).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
