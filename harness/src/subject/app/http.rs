//! One HTTP/1.1 GET on the loopback, bounded in time: enough to ask a health endpoint what
//! it says (status and body), and to tell an answer from a hang or a refused connection.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// The most of an answer that is read; a health endpoint says far less.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// How much of a body the evidence shows.
const BODY_SHOWN_CHARS: usize = 160;

/// What the endpoint answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// From the connection attempt to the end of the answer.
    pub elapsed: Duration,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `503 in 2.01 s: {"status":"unavailable",…}`, the body on one line and cut short.
    pub fn describe(&self) -> String {
        let body: String = self.body.split_whitespace().collect::<Vec<_>>().join(" ");
        let shown: String = body.chars().take(BODY_SHOWN_CHARS).collect();
        let cut = if shown.len() < body.len() { "…" } else { "" };
        format!(
            "{} in {:.2} s: {shown}{cut}",
            self.status,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Why there was no answer.
#[derive(Debug, thiserror::Error)]
pub enum NoAnswer {
    #[error("no answer within {:.1} s", .0.as_secs_f64())]
    TimedOut(Duration),
    #[error("connection refused")]
    Refused,
    #[error("failed to read an answer: {0}")]
    Io(#[from] std::io::Error),
    #[error("an answer that is not HTTP: {0}")]
    Malformed(String),
}

/// `GET path` from `127.0.0.1:port`, giving up after `bound`.
pub async fn get(port: u16, path: &str, bound: Duration) -> Result<Answer, NoAnswer> {
    let started = Instant::now();
    let exchange = async {
        let mut stream =
            TcpStream::connect(("127.0.0.1", port))
                .await
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::ConnectionRefused => NoAnswer::Refused,
                    _ => NoAnswer::Io(e),
                })?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await?;
        read_answer(&mut stream).await
    };
    match tokio::time::timeout(bound, exchange).await {
        Ok(Ok((status, body))) => Ok(Answer {
            status,
            body,
            elapsed: started.elapsed(),
        }),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(NoAnswer::TimedOut(bound)),
    }
}

/// Reads until the body is complete (by `Content-Length`, else the end of the stream).
async fn read_answer(stream: &mut TcpStream) -> Result<(u16, String), NoAnswer> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = stream.read(&mut chunk).await?;
        bytes.extend_from_slice(&chunk[..read]);
        if read == 0 || bytes.len() >= MAX_ANSWER_BYTES || complete(&bytes) {
            break;
        }
    }
    parse(&bytes)
}

/// Whether the head is in and the body has the length the head announced.
fn complete(bytes: &[u8]) -> bool {
    let Some(end) = head_end(bytes) else {
        return false;
    };
    let head = String::from_utf8_lossy(&bytes[..end]);
    header(&head, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|length| bytes.len() - (end + 4) >= length)
}

fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n")
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn parse(bytes: &[u8]) -> Result<(u16, String), NoAnswer> {
    let end = head_end(bytes).ok_or_else(|| {
        NoAnswer::Malformed(format!(
            "{:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
        ))
    })?;
    let head = String::from_utf8_lossy(&bytes[..end]);
    let status_line = head.lines().next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| NoAnswer::Malformed(format!("{status_line:?}")))?;
    let body = &bytes[end + 4..];
    let body = if header(&head, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        dechunk(body)
    } else {
        body.to_vec()
    };
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// The body of a chunked answer, as far as it goes.
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..line_end]);
        let Ok(size) = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
        else {
            break;
        };
        let data = &rest[line_end + 2..];
        if size == 0 || data.len() < size {
            body.extend_from_slice(&data[..size.min(data.len())]);
            break;
        }
        body.extend_from_slice(&data[..size]);
        rest = data.get(size + 2..).unwrap_or_default();
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A server on a free port that answers one request with `answer`, or hangs on `None`.
    async fn serve_once(answer: Option<&'static str>) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await;
            match answer {
                Some(text) => {
                    let _ = socket.write_all(text.as_bytes()).await;
                }
                None => tokio::time::sleep(Duration::from_secs(30)).await,
            }
        });
        port
    }

    #[tokio::test]
    async fn reads_the_status_and_the_body() {
        let port = serve_once(Some(
            "HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\n\r\n{\"status\": \"unavailable\"}",
        ))
        .await;
        let answer = get(port, "/health", Duration::from_secs(5)).await.unwrap();
        assert_eq!(answer.status, 503);
        assert!(!answer.is_success());
        assert_eq!(answer.body, "{\"status\": \"unavailable\"}");
        assert!(
            answer.describe().starts_with("503 in "),
            "{}",
            answer.describe()
        );
    }

    #[tokio::test]
    async fn stops_at_the_announced_length_and_reads_chunks() {
        // the connection stays open: the length says when the answer is whole
        let port = serve_once(Some(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
        ))
        .await;
        let answer = get(port, "/health", Duration::from_secs(5)).await.unwrap();
        assert_eq!((answer.status, answer.body.as_str()), (200, "ok"));
        let port = serve_once(Some(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n",
        ))
        .await;
        let answer = get(port, "/health", Duration::from_secs(5)).await.unwrap();
        assert_eq!(answer.body, "{\"a\":1}");
    }

    #[tokio::test]
    async fn a_hang_and_a_closed_port_are_no_answer() {
        let port = serve_once(None).await;
        let hung = get(port, "/health", Duration::from_millis(200)).await;
        assert!(matches!(hung, Err(NoAnswer::TimedOut(_))), "{hung:?}");
        let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let refused = get(port, "/health", Duration::from_secs(5)).await;
        assert!(matches!(refused, Err(NoAnswer::Refused)), "{refused:?}");
        let port = serve_once(Some("SSH-2.0-OpenSSH\r\n\r\n")).await;
        let other = get(port, "/", Duration::from_secs(5)).await;
        assert!(matches!(other, Err(NoAnswer::Malformed(_))), "{other:?}");
    }
}
