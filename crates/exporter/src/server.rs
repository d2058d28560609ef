//! The HTTP server: listening sockets, TLS, connection limits and timeouts, and routing.
//!
//! Each connection is a task of its own, so an idle or slow client costs a task and a socket,
//! never a scrape's time. Limits:
//! - the request head (request line and headers) must fit in 8 KiB, else hyper answers 431;
//! - it must arrive within [`HEAD_TIMEOUT`], which also closes keep-alive connections left idle;
//! - a TLS handshake gets [`HANDSHAKE_TIMEOUT`];
//! - a connection lives at most [`MAX_CONNECTION_AGE`], then finishes its request and closes;
//! - at most [`MAX_CONNECTIONS`] at once; more are closed at once.

use std::convert::Infallible;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::auth::Auth;
use crate::exposition::{Format, encode};
use crate::scrape::Scraper;

pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
pub const MAX_CONNECTION_AGE: Duration = Duration::from_secs(300);
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
pub const MAX_CONNECTIONS: usize = 512;
/// hyper's smallest read buffer, and so the limit of a request head.
const MAX_HEAD: usize = 8192;

/// A listen address as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenAddress {
    /// `:PORT`: every interface, IPv6 and IPv4.
    Any(u16),
    /// `HOST:PORT` or `[V6]:PORT`.
    Host(String, u16),
}

/// Parses `HOST:PORT`, `[V6]:PORT` or `:PORT`.
pub fn parse_listen_address(text: &str) -> Result<ListenAddress, String> {
    let (host, port) = text
        .rsplit_once(':')
        .ok_or_else(|| "expected HOST:PORT or :PORT".to_string())?;
    let port: u16 = port
        .parse()
        .map_err(|_| format!("{port:?} is not a port number"))?;
    if host.is_empty() {
        return Ok(ListenAddress::Any(port));
    }
    let host = match host.strip_prefix('[') {
        Some(inner) => inner
            .strip_suffix(']')
            .ok_or_else(|| "an IPv6 address needs its closing ]".to_string())?,
        None if host.contains(':') => {
            return Err("an IPv6 address goes in brackets: [::1]:PORT".to_string());
        }
        None => host,
    };
    if host.is_empty() {
        return Err("empty host".to_string());
    }
    Ok(ListenAddress::Host(host.to_string(), port))
}

/// Binds a listen address (before the runtime starts, so that errors end the program).
pub fn bind(text: &str) -> Result<std::net::TcpListener, String> {
    let fail = |e: io::Error| format!("cannot listen on {text}: {e}");
    let address = parse_listen_address(text).map_err(|e| format!("{text}: {e}"))?;
    let listener = match address {
        ListenAddress::Any(port) => {
            // [::] takes IPv4 too unless the host forbids it; without IPv6, 0.0.0.0.
            let v6 = SocketAddr::from(([0u16; 8], port));
            match std::net::TcpListener::bind(v6) {
                Ok(listener) => listener,
                Err(e) if e.kind() == io::ErrorKind::AddrInUse => return Err(fail(e)),
                Err(_) => {
                    std::net::TcpListener::bind(SocketAddr::from(([0u8; 4], port))).map_err(fail)?
                }
            }
        }
        ListenAddress::Host(host, port) => {
            let addresses: Vec<SocketAddr> = (host.as_str(), port)
                .to_socket_addrs()
                .map_err(|e| format!("cannot resolve {host:?}: {e}"))?
                .collect();
            let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
            let mut bound = None;
            for address in addresses {
                match std::net::TcpListener::bind(address) {
                    Ok(listener) => {
                        bound = Some(listener);
                        break;
                    }
                    Err(e) => last = e,
                }
            }
            bound.ok_or_else(|| fail(last))?
        }
    };
    listener.set_nonblocking(true).map_err(fail)?;
    Ok(listener)
}

/// What every connection shares.
pub struct App {
    pub scraper: Arc<Scraper>,
    pub auth: Arc<Auth>,
    pub telemetry_path: String,
    pub tls: Option<TlsAcceptor>,
    pub connections: Arc<Semaphore>,
}

/// Serves every listener until the process ends.
pub async fn run(listeners: Vec<std::net::TcpListener>, app: Arc<App>) -> io::Result<()> {
    let mut tasks = Vec::new();
    for listener in listeners {
        let listener = TcpListener::from_std(listener)?;
        tasks.push(tokio::spawn(accept_loop(listener, app.clone())));
    }
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

async fn accept_loop(listener: TcpListener, app: Arc<App>) {
    let mut warned = false;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of descriptors, say: wait for connections to end instead of spinning.
                if !warned {
                    eprintln!("netstat_exporter: accepting a connection: {e}");
                    warned = true;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = app.connections.clone().try_acquire_owned() else {
            continue; // too many connections: this one is closed
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move {
            connection(stream, &app).await;
            drop(permit);
        });
    }
}

async fn connection(stream: TcpStream, app: &Arc<App>) {
    let Some(acceptor) = app.tls.clone() else {
        serve_http(TokioIo::new(stream), app).await;
        return;
    };
    // A TLS client starts with a handshake record (0x16); anything else is most likely plain
    // HTTP, which is told so instead of being dropped without a word.
    let mut first = [0u8; 1];
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, stream.peek(&mut first)).await {
        Ok(Ok(1)) if first[0] != 0x16 => {
            let mut stream = stream;
            let _ = stream
                .write_all(
                    b"HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n\
                      Client sent an HTTP request to an HTTPS server.\n",
                )
                .await;
            return;
        }
        Ok(Ok(1)) => {}
        _ => return,
    }
    if let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        serve_http(TokioIo::new(tls), app).await;
    }
}

async fn serve_http<I>(io: I, app: &Arc<App>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_buf_size(MAX_HEAD);
    let app = app.clone();
    let service = service_fn(move |request| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(respond(&app, request).await) }
    });
    let connection = builder.serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    if tokio::time::timeout(MAX_CONNECTION_AGE, connection.as_mut())
        .await
        .is_err()
    {
        connection.as_mut().graceful_shutdown();
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, connection).await;
    }
}

type Reply = Response<Full<Bytes>>;

fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

async fn respond(app: &Arc<App>, request: Request<Incoming>) -> Reply {
    if app.auth.required() {
        let credentials = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if !app.auth.check(credentials).await {
            let mut response = reply(
                StatusCode::UNAUTHORIZED,
                "text/plain; charset=utf-8",
                "Unauthorized\n",
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"netstat_exporter\""),
            );
            return response;
        }
    }
    let path = request.uri().path();
    let is_metrics = path == app.telemetry_path;
    if !is_metrics && path != "/" {
        return reply(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "404 page not found\n",
        );
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = reply(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "Method Not Allowed: use GET or HEAD\n",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    if !is_metrics {
        return reply(
            StatusCode::OK,
            "text/html; charset=utf-8",
            landing_page(&app.telemetry_path),
        );
    }
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let format = Format::negotiate(accept);
    let collection = app.scraper.scrape().await;
    reply(
        StatusCode::OK,
        format.content_type(),
        encode(&collection, format),
    )
}

/// The page at `/`: what this is and where the metrics are.
fn landing_page(telemetry_path: &str) -> String {
    let path = html_escape(telemetry_path);
    format!(
        "<!DOCTYPE html>\n<html><head><title>netstat_exporter</title></head><body>\n\
         <h1>netstat_exporter</h1>\n<p>Sockets, listeners, socket owners, protocol counters \
         and interfaces for Prometheus.</p>\n<p><a href=\"{path}\">Metrics</a></p>\n\
         <p>Version {}</p>\n</body></html>\n",
        env!("CARGO_PKG_VERSION")
    )
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses() {
        assert_eq!(parse_listen_address(":9100"), Ok(ListenAddress::Any(9100)));
        assert_eq!(
            parse_listen_address("127.0.0.1:1"),
            Ok(ListenAddress::Host("127.0.0.1".to_string(), 1))
        );
        assert_eq!(
            parse_listen_address("[::1]:80"),
            Ok(ListenAddress::Host("::1".to_string(), 80))
        );
        assert_eq!(
            parse_listen_address("localhost:80"),
            Ok(ListenAddress::Host("localhost".to_string(), 80))
        );
        for bad in ["9100", "::1:80", "[::1:80", "host:99999", "host:", "[]:80"] {
            assert!(parse_listen_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_busy_address_is_an_error() {
        let first = bind("127.0.0.1:0").unwrap();
        let port = first.local_addr().unwrap().port();
        let err = bind(&format!("127.0.0.1:{port}")).unwrap_err();
        assert!(
            err.contains("cannot listen on") && err.contains("in use"),
            "{err}"
        );
    }

    #[test]
    fn the_landing_page_escapes_the_path() {
        assert!(landing_page("/m\"<x>").contains("href=\"/m&quot;&lt;x&gt;\""));
    }
}
