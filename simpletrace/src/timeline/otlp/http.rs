//! OTLP/HTTP without a dependency: one `POST` of an
//! `ExportTraceServiceRequest` (`Content-Type: application/x-protobuf`) per
//! connection (`Connection: close`), over plain TCP. No TLS: an `https://`
//! endpoint is refused with [`OtlpError::Https`] (send to a collector on the
//! same host or network, which forwards over TLS). Every step has a timeout;
//! a non-2xx answer is [`OtlpError::Status`] with the start of its body.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::response::{partial_success, PartialSuccess};
use crate::error::debug_as_message;

/// Bytes of an answer read at most (status line, headers, and the start of
/// the body, for the error message or the partial success).
const MAX_RESPONSE: usize = 64 * 1024;
/// Bytes of a body shown in an error.
const BODY_SHOWN: usize = 512;

/// Why spans could not be sent to a collector.
#[derive(thiserror::Error)]
pub enum OtlpError {
    #[error("--otlp-endpoint {url}: https is not supported (simpletrace has no TLS); send to a collector's plain http OTLP receiver, e.g. http://127.0.0.1:4318/v1/traces")]
    /// The endpoint is `https://`: there is no TLS client here.
    Https {
        /// The endpoint as given.
        url: String,
    },
    #[error("--otlp-endpoint {url}: {why}; expected http://HOST[:PORT]/PATH, e.g. http://127.0.0.1:4318/v1/traces")]
    /// The endpoint is not `http://HOST[:PORT]/PATH`.
    BadUrl {
        /// The endpoint as given.
        url: String,
        /// What is wrong with it.
        why: &'static str,
    },
    #[error("cannot resolve {authority}: {source}")]
    /// The host name did not resolve.
    Resolve {
        /// `HOST:PORT` as given.
        authority: String,
        /// The resolver's error.
        source: io::Error,
    },
    #[error("cannot connect to {authority}: {source}")]
    /// No address of the host took the connection.
    Connect {
        /// `HOST:PORT` as given.
        authority: String,
        /// The last address's error.
        source: io::Error,
    },
    #[error("sending spans to {url}: {source}")]
    /// Writing the request or reading the answer failed.
    Io {
        /// The endpoint.
        url: String,
        /// The socket's error.
        source: io::Error,
    },
    #[error("{url} did not answer within {seconds} s (--otlp-timeout)")]
    /// The collector did not answer in time.
    Timeout {
        /// The endpoint.
        url: String,
        /// The timeout (`--otlp-timeout`).
        seconds: f64,
    },
    #[error("{url} answered {status} {reason}: {body}")]
    /// The collector answered with a status other than 2xx.
    Status {
        /// The endpoint.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The status line's reason phrase.
        reason: String,
        /// The start of the answer's body, for the message.
        body: String,
    },
    #[error("{url} sent a malformed HTTP answer: {why}")]
    /// The answer is not HTTP/1.x as expected.
    BadResponse {
        /// The endpoint.
        url: String,
        /// What is wrong with it.
        why: &'static str,
    },
}

impl fmt::Debug for OtlpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_as_message(self, f)
    }
}

/// Where spans go: `http://HOST[:PORT]/PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    url: String,
    /// `HOST:PORT` as given (the `Host` header; IPv6 in brackets).
    authority: String,
    path: String,
}

impl Endpoint {
    /// Parse `http://HOST[:PORT]/PATH` (port 80 if none); `https` and other
    /// schemes are refused with a clear error.
    pub fn parse(url: &str) -> Result<Self, OtlpError> {
        let bad = |why| OtlpError::BadUrl {
            url: url.to_string(),
            why,
        };
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("https://") {
            return Err(OtlpError::Https {
                url: url.to_string(),
            });
        }
        if !lower.starts_with("http://") {
            return Err(bad("not an http:// URL"));
        }
        let rest = &url["http://".len()..];
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            return Err(bad("no host"));
        }
        if authority.contains('@') {
            return Err(bad("user information is not supported"));
        }
        if path.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(bad("spaces or control characters in the path"));
        }
        let host_end = if authority.starts_with('[') {
            authority
                .find(']')
                .map(|i| i + 1)
                .ok_or_else(|| bad("unclosed [ in the host"))?
        } else {
            authority.find(':').unwrap_or(authority.len())
        };
        let authority = match &authority[host_end..] {
            "" => format!("{authority}:80"),
            port => {
                let digits = port
                    .strip_prefix(':')
                    .ok_or_else(|| bad("junk after the host"))?;
                digits
                    .parse::<u16>()
                    .map_err(|_| bad("the port is not a number from 0 to 65535"))?;
                authority.to_string()
            }
        };
        Ok(Self {
            url: url.to_string(),
            authority,
            path: path.to_string(),
        })
    }

    /// The endpoint as given, for messages.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Posts requests to an [`Endpoint`], each step bounded by `timeout`.
pub struct OtlpHttp {
    endpoint: Endpoint,
    timeout: Duration,
    /// Addresses resolved on the first request.
    addrs: Vec<SocketAddr>,
    /// Spans the collector said it rejected, over all requests.
    pub rejected_spans: u64,
    /// The last partial success's message.
    pub last_rejection: Option<String>,
}

impl OtlpHttp {
    /// A client for `endpoint`; nothing is resolved or connected until the
    /// first request.
    pub fn new(endpoint: Endpoint, timeout: Duration) -> Self {
        Self {
            endpoint,
            timeout,
            addrs: Vec::new(),
            rejected_spans: 0,
            last_rejection: None,
        }
    }

    fn connect(&mut self) -> Result<TcpStream, OtlpError> {
        let authority = &self.endpoint.authority;
        if self.addrs.is_empty() {
            self.addrs = authority
                .to_socket_addrs()
                .map_err(|source| OtlpError::Resolve {
                    authority: authority.clone(),
                    source,
                })?
                .collect();
        }
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
        for addr in &self.addrs {
            match TcpStream::connect_timeout(addr, self.timeout) {
                Ok(stream) => return Ok(stream),
                Err(e) => last = e,
            }
        }
        Err(OtlpError::Connect {
            authority: authority.clone(),
            source: last,
        })
    }

    /// POST one `ExportTraceServiceRequest`; a 2xx answer's partial success
    /// (spans the collector rejected) is added to [`OtlpHttp::rejected_spans`].
    pub fn post(&mut self, request: &[u8]) -> Result<(), OtlpError> {
        let mut stream = self.connect()?;
        let url = &self.endpoint.url;
        let seconds = self.timeout.as_secs_f64();
        let io_error = |source: io::Error| match source.kind() {
            // What a read or write past its timeout returns.
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => OtlpError::Timeout {
                url: url.clone(),
                seconds,
            },
            _ => OtlpError::Io {
                url: url.clone(),
                source,
            },
        };
        stream
            .set_write_timeout(Some(self.timeout))
            .map_err(io_error)?;
        stream
            .set_read_timeout(Some(self.timeout))
            .map_err(io_error)?;
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: simpletrace/{}\r\nContent-Type: application/x-protobuf\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.endpoint.path,
            self.endpoint.authority,
            env!("CARGO_PKG_VERSION"),
            request.len()
        );
        stream.write_all(head.as_bytes()).map_err(io_error)?;
        stream.write_all(request).map_err(io_error)?;
        stream.flush().map_err(io_error)?;
        let answer = read_answer(&mut stream).map_err(io_error)?;
        let response = parse_answer(&answer).map_err(|why| OtlpError::BadResponse {
            url: url.clone(),
            why,
        })?;
        if !(200..300).contains(&response.status) {
            let shown = &response.body[..response.body.len().min(BODY_SHOWN)];
            return Err(OtlpError::Status {
                url: url.clone(),
                status: response.status,
                reason: response.reason.to_string(),
                body: String::from_utf8_lossy(shown).trim().to_string(),
            });
        }
        if let Some(PartialSuccess {
            rejected_spans,
            message,
        }) = partial_success(response.body)
        {
            self.rejected_spans = self.rejected_spans.saturating_add(rejected_spans);
            if !message.is_empty() {
                self.last_rejection = Some(message);
            }
        }
        Ok(())
    }
}

/// The answer, up to [`MAX_RESPONSE`] bytes: until the end of the body its
/// `Content-Length` gives, or the connection's end.
fn read_answer(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // The server may close without reading all of a request it
            // refused, resetting the connection after its answer.
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset && !answer.is_empty() => 0,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(answer);
        }
        answer.extend_from_slice(&chunk[..n]);
        if answer.len() >= MAX_RESPONSE {
            answer.truncate(MAX_RESPONSE);
            return Ok(answer);
        }
        if let Some(total) = complete_length(&answer) {
            if answer.len() >= total {
                answer.truncate(total);
                return Ok(answer);
            }
        }
    }
}

/// The length of the whole answer when its headers are in and give a
/// `Content-Length`.
fn complete_length(answer: &[u8]) -> Option<usize> {
    let head_end = find(answer, b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&answer[..head_end]).ok()?;
    let length = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    })?;
    Some(head_end.saturating_add(length))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

struct Answer<'a> {
    status: u16,
    reason: &'a str,
    body: &'a [u8],
}

fn parse_answer(answer: &[u8]) -> Result<Answer<'_>, &'static str> {
    if answer.is_empty() {
        return Err("the connection closed without an answer");
    }
    let line_end = find(answer, b"\r\n").ok_or("no status line")?;
    let line = std::str::from_utf8(&answer[..line_end]).map_err(|_| "status line not UTF-8")?;
    let mut parts = line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err("not an HTTP/1.x status line");
    }
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..1000).contains(s))
        .ok_or("no status code")?;
    let reason = parts.next().unwrap_or("").trim();
    let body = match find(answer, b"\r\n\r\n") {
        Some(i) => &answer[i + 4..],
        None => &[],
    };
    Ok(Answer {
        status,
        reason,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let e = Endpoint::parse("http://127.0.0.1:4318/v1/traces").unwrap();
        assert_eq!(
            (e.authority.as_str(), e.path.as_str()),
            ("127.0.0.1:4318", "/v1/traces")
        );
        let e = Endpoint::parse("HTTP://collector").unwrap();
        assert_eq!(
            (e.authority.as_str(), e.path.as_str()),
            ("collector:80", "/")
        );
        let e = Endpoint::parse("http://[::1]:4318/v1/traces").unwrap();
        assert_eq!(e.authority, "[::1]:4318");
        assert!(matches!(
            Endpoint::parse("https://otel.example:4318/v1/traces"),
            Err(OtlpError::Https { .. })
        ));
        for bad in [
            "ftp://x/",
            "http:///v1/traces",
            "http://h:99999/",
            "http://h:x/",
            "http://u@h/",
            "http://h/a b",
            "http://[::1/",
        ] {
            assert!(
                matches!(Endpoint::parse(bad), Err(OtlpError::BadUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn answers() {
        let a = parse_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi").unwrap();
        assert_eq!((a.status, a.reason, a.body), (200, "OK", &b"hi"[..]));
        let a = parse_answer(b"HTTP/1.0 503 Service Unavailable\r\n\r\n").unwrap();
        assert_eq!((a.status, a.reason), (503, "Service Unavailable"));
        assert!(parse_answer(b"").is_err());
        assert!(parse_answer(b"SSH-2.0-OpenSSH\r\n").is_err());
        assert!(parse_answer(b"HTTP/1.1 abc\r\n\r\n").is_err());
        assert_eq!(
            complete_length(b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nab"),
            Some(41)
        );
        assert_eq!(complete_length(b"HTTP/1.1 200 OK\r\n"), None);
    }
}
