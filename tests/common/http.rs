//! A tiny HTTP/1.1 file server for tests, on 127.0.0.1:0, written with std only: serves an
//! in-memory file map and/or a directory tree in python.org's layout, honours `Range: bytes=N-`,
//! and can be scripted to fail: 404, N×500 before succeeding, cutting the connection after N
//! body bytes, dripping the body slowly (or one byte at a time), answering a Range request from
//! byte 0, an endless body, never answering, 429 with Retry-After, a lying Content-Length.
//! Every request line (with its Range) is recorded.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A scripted misbehaviour for one path.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer 404 always.
    NotFound,
    /// Answer 500 this many times, then serve normally.
    ServerError(u32),
    /// On the first request, promise the whole body but close after this many bytes.
    CutAfter(usize),
    /// Send the body in 16 KiB chunks with this pause between them.
    Drip(Duration),
    /// Answer a Range request with 206 but the whole body (`Content-Range: bytes 0-…`), as a
    /// broken server or cache does.
    RangeFromZero,
    /// Promise the whole body, then send it one byte at a time with this pause between bytes.
    Trickle(Duration),
    /// An endless body: no Content-Length, the file's bytes (or zeros) over and over.
    Endless,
    /// Accept the connection, read the request, never answer.
    Silent,
    /// Answer `429 Too Many Requests` (with `Retry-After: <secs>` when given) this many
    /// times, then serve normally.
    TooMany(u32, Option<u64>),
    /// Announce this Content-Length, then send the real body and close.
    Claim(u64),
}

#[derive(Default)]
struct State {
    files: HashMap<String, Vec<u8>>,
    root: Option<PathBuf>,
    faults: HashMap<String, Fault>,
    log: Vec<String>,
}

/// A running server; it lives until the test process ends.
#[derive(Clone)]
pub struct Server {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let s = state.clone();
        thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let s = s.clone();
                thread::spawn(move || {
                    let _ = handle(conn, &s);
                });
            }
        });
        Server { port, state }
    }

    /// `http://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Serve `bytes` at `/path`.
    pub fn file(&self, path: &str, bytes: Vec<u8>) -> &Self {
        self.state.lock().unwrap().files.insert(norm(path), bytes);
        self
    }

    /// Serve the files below `dir` as `/<version>/<file>` for each `Python-<version>.*` in it.
    pub fn python_org_tree(&self, dir: &Path) -> &Self {
        self.state.lock().unwrap().root = Some(dir.to_path_buf());
        self
    }

    pub fn fault(&self, path: &str, f: Fault) -> &Self {
        self.state.lock().unwrap().faults.insert(norm(path), f);
        self
    }

    /// The requests seen so far: `GET /path` plus ` range=bytes=N-` when present.
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }
}

fn norm(p: &str) -> String {
    format!("/{}", p.trim_start_matches('/'))
}

fn handle(conn: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut first = String::new();
    reader.read_line(&mut first)?;
    let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut range: Option<usize> = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("range: bytes=") {
            range = v.trim().trim_end_matches('-').parse().ok();
        }
    }
    let (body, fault) = {
        let mut st = state.lock().unwrap();
        st.log.push(match range {
            Some(r) => format!("GET {path} range=bytes={r}-"),
            None => format!("GET {path}"),
        });
        let body = st.files.get(&path).cloned().or_else(|| {
            let root = st.root.clone()?;
            // python.org layout: /<version>/Python-<version>.<ext> -> <root>/Python-<version>.<ext>
            let file = path.rsplit('/').next()?;
            if file.contains("..") || file.is_empty() {
                return None;
            }
            std::fs::read(root.join(file)).ok()
        });
        let fault = match st.faults.get_mut(&path) {
            Some(Fault::ServerError(n)) if *n > 0 => {
                *n -= 1;
                Some(Fault::ServerError(1))
            }
            Some(Fault::ServerError(_)) => None,
            Some(Fault::CutAfter(n)) => {
                let f = Fault::CutAfter(*n);
                st.faults.remove(&path);
                Some(f)
            }
            Some(Fault::TooMany(n, after)) if *n > 0 => {
                *n -= 1;
                Some(Fault::TooMany(1, *after))
            }
            Some(Fault::TooMany(..)) => None,
            other => other.cloned(),
        };
        (body, fault)
    };
    let mut out = conn;
    match (fault, body) {
        (Some(Fault::Silent), _) => {
            thread::sleep(Duration::from_secs(600));
            Ok(())
        }
        (Some(Fault::TooMany(_, after)), _) => {
            let after = after.map_or(String::new(), |s| format!("Retry-After: {s}\r\n"));
            write!(
                out,
                "HTTP/1.1 429 Too Many Requests\r\n{after}Content-Length: 4\r\nConnection: close\r\n\r\nslow"
            )
        }
        (Some(Fault::Endless), body) => {
            write!(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
            let chunk = body.filter(|b| !b.is_empty()).unwrap_or(vec![0u8; 64 * 1024]);
            loop {
                out.write_all(&chunk)?;
            }
        }
        (Some(Fault::NotFound), _) | (_, None) => {
            write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found")
        }
        (Some(Fault::ServerError(_)), _) => write!(
            out,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops"
        ),
        (fault, Some(body)) => {
            let start = match fault {
                Some(Fault::RangeFromZero) => 0,
                _ => range.unwrap_or(0).min(body.len()),
            };
            let part = &body[start..];
            if range.is_some() {
                write!(
                    out,
                    "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{}/{}\r\n",
                    body.len().saturating_sub(1),
                    body.len()
                )?;
            } else {
                write!(out, "HTTP/1.1 200 OK\r\n")?;
            }
            let announced = match fault {
                Some(Fault::Claim(n)) => n,
                _ => part.len() as u64,
            };
            write!(out, "Content-Length: {announced}\r\nConnection: close\r\n\r\n")?;
            match fault {
                Some(Fault::Trickle(pause)) => {
                    for b in part {
                        out.write_all(std::slice::from_ref(b))?;
                        out.flush()?;
                        thread::sleep(pause);
                    }
                    Ok(())
                }
                Some(Fault::CutAfter(n)) => {
                    out.write_all(&part[..n.min(part.len())])?;
                    out.flush()?;
                    out.shutdown(std::net::Shutdown::Both)
                }
                Some(Fault::Drip(pause)) => {
                    for chunk in part.chunks(16 * 1024) {
                        out.write_all(chunk)?;
                        out.flush()?;
                        thread::sleep(pause);
                    }
                    Ok(())
                }
                _ => out.write_all(part),
            }
        }
    }
}
