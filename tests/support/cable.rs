//! A network cable between a bench and the test server that a test can cut and mend: a TCP relay on loopback.
//! Cut, it breaks every connection through it and refuses new ones, as a pulled cable or a stopped server
//! would look to the bench; mended, it relays again. The server itself is never touched, so the other tests
//! sharing it go on.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rma_station::storage::location::DatabaseUrl;

#[derive(Debug)]
pub struct Cable {
    port: u16,
    cut: Arc<AtomicBool>,
    /// Set when the cable is dropped: its relay stops taking connections.
    gone: Arc<AtomicBool>,
    /// Both ends of every connection relayed, to be shut down at a cut.
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Cable {
    /// A cable to `server` (loopback host and port).
    pub fn to(server: &DatabaseUrl) -> Cable {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let target = format!("{}:{}", server.host, server.port);
        let (cut, open) = (Arc::new(AtomicBool::new(false)), Arc::new(Mutex::new(Vec::new())));
        let gone = Arc::new(AtomicBool::new(false));
        let (cut_flag, gone_flag, streams) = (Arc::clone(&cut), Arc::clone(&gone), Arc::clone(&open));
        let accept = move || {
            for bench in listener.incoming() {
                if gone_flag.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(bench) = bench else { continue };
                if cut_flag.load(Ordering::SeqCst) {
                    let _ = bench.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&target) else { continue };
                let mut kept = streams.lock().unwrap();
                kept.push(bench.try_clone().unwrap());
                kept.push(server.try_clone().unwrap());
                relay(bench.try_clone().unwrap(), server.try_clone().unwrap());
                relay(server, bench);
            }
        };
        std::thread::Builder::new().name("cable".into()).spawn(accept).unwrap();
        Cable { port, cut, gone, open }
    }

    /// `url` with its host and port this cable's end.
    pub fn url(&self, url: &DatabaseUrl) -> DatabaseUrl {
        DatabaseUrl { host: "127.0.0.1".into(), port: self.port, ..url.clone() }
    }

    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    pub fn mend(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for Cable {
    fn drop(&mut self) {
        self.gone.store(true, Ordering::SeqCst);
        self.cut();
        // Wakes the relay's accept, which then sees the cable gone.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Copies `from` into `to` on a thread of its own until either end closes.
fn relay(mut from: TcpStream, mut to: TcpStream) {
    let copy = move || {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    };
    std::thread::Builder::new().name("cable-relay".into()).spawn(copy).unwrap();
}
