//! The proxy against a local echo server, over real TCP on 127.0.0.1.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;
use crate::process::wait::Patience;

/// An echo server that counts the bytes it received.
struct Echo {
    address: SocketAddr,
    received: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl Drop for Echo {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn echo_server() -> Echo {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let address = listener.local_addr().unwrap();
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let task = tokio::spawn(async move {
        let mut sessions = JoinSet::new();
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let counter = counter.clone();
            sessions.spawn(async move {
                let mut buf = [0u8; 4096];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            counter.fetch_add(n as u64, Ordering::SeqCst);
                            if stream.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    Echo {
        address,
        received,
        task,
    }
}

async fn setup() -> (Echo, FaultProxy, TcpStream) {
    let echo = echo_server().await;
    let proxy = FaultProxy::start(echo.address).await.unwrap();
    let client = TcpStream::connect(proxy.address()).await.unwrap();
    (echo, proxy, client)
}

/// Sends `message` and reads the same number of bytes back, or times out.
async fn round_trip(client: &mut TcpStream, message: &[u8]) -> std::io::Result<Vec<u8>> {
    client.write_all(message).await?;
    let mut back = vec![0u8; message.len()];
    client.read_exact(&mut back).await?;
    Ok(back)
}

async fn wait_for(what: &str, condition: impl Fn() -> bool) {
    let mut patience = Patience::new(Duration::from_secs(5), Duration::from_millis(5));
    while patience.another_look().await {
        if condition() {
            return;
        }
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn forwards_both_ways_untouched_by_default() {
    let (_echo, proxy, mut client) = setup().await;
    assert_eq!(round_trip(&mut client, b"hello").await.unwrap(), b"hello");
    let stats = proxy.stats();
    assert_eq!((stats.accepted, stats.live), (1, 1));
    assert_eq!((stats.bytes_to_server, stats.bytes_to_client), (5, 5));
}

#[tokio::test]
async fn latency_delays_each_direction() {
    let (_echo, proxy, mut client) = setup().await;
    round_trip(&mut client, b"warm").await.unwrap();
    proxy.latency(Direction::ToServer, Duration::from_millis(80));
    proxy.latency(Direction::ToClient, Duration::from_millis(40));
    let started = Instant::now();
    assert_eq!(round_trip(&mut client, b"slow").await.unwrap(), b"slow");
    assert!(started.elapsed() >= Duration::from_millis(120));
}

#[tokio::test]
async fn cut_all_resets_live_connections_and_accepts_new_ones() {
    let (_echo, proxy, mut client) = setup().await;
    round_trip(&mut client, b"before").await.unwrap();
    assert_eq!(proxy.cut_all().await, 1);
    assert_eq!(proxy.stats().live, 0);
    let mut buf = [0u8; 8];
    let read = client.read(&mut buf).await;
    assert_eq!(
        read.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::ConnectionReset),
        "the client sees a reset, not a clean end of stream"
    );
    let mut again = TcpStream::connect(proxy.address()).await.unwrap();
    assert_eq!(round_trip(&mut again, b"after").await.unwrap(), b"after");
    assert_eq!(proxy.stats().resets, 1);
}

#[tokio::test]
async fn cut_older_than_spares_young_connections() {
    let (_echo, proxy, mut old) = setup().await;
    round_trip(&mut old, b"old").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let young_started = Instant::now();
    let mut young = TcpStream::connect(proxy.address()).await.unwrap();
    round_trip(&mut young, b"young").await.unwrap();
    // older than the young one however slow its connect was, and 150 ms younger than the old
    let age = young_started.elapsed() + Duration::from_millis(150);
    assert_eq!(proxy.cut_older_than(age).await, 1);
    let mut buf = [0u8; 8];
    assert_eq!(
        old.read(&mut buf).await.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::ConnectionReset),
        "the old connection is reset"
    );
    assert_eq!(round_trip(&mut young, b"alive").await.unwrap(), b"alive");
    assert_eq!((proxy.stats().resets, proxy.stats().live), (1, 1));
}

#[tokio::test]
async fn blackhole_hangs_the_peer_until_healed() {
    let (echo, proxy, mut client) = setup().await;
    round_trip(&mut client, b"ok").await.unwrap();
    proxy.blackhole(Direction::ToServer, true);
    let hung = tokio::time::timeout(Duration::from_millis(200), round_trip(&mut client, b"lost"));
    assert!(hung.await.is_err(), "a black-holed request gets no answer");
    assert_eq!(
        echo.received.load(Ordering::SeqCst),
        2,
        "nothing reached the server"
    );
    assert_eq!(proxy.stats().discarded, 4);
    proxy.heal();
    assert_eq!(round_trip(&mut client, b"back").await.unwrap(), b"back");
}

#[tokio::test]
async fn blackhole_applies_per_direction() {
    let (echo, proxy, mut client) = setup().await;
    proxy.blackhole(Direction::ToClient, true);
    let hung = tokio::time::timeout(Duration::from_millis(200), round_trip(&mut client, b"ping"));
    assert!(hung.await.is_err(), "the answer is swallowed");
    wait_for("the request to reach the server", || {
        echo.received.load(Ordering::SeqCst) == 4
    })
    .await;
}

#[tokio::test]
async fn close_after_passes_exactly_n_bytes_then_closes() {
    let (_echo, proxy, mut client) = setup().await;
    round_trip(&mut client, b"first").await.unwrap();
    proxy.close_after(Direction::ToClient, Some(3));
    client.write_all(b"hello").await.unwrap();
    let mut back = Vec::new();
    client.read_to_end(&mut back).await.unwrap();
    assert_eq!(back, b"hel", "three more bytes, then end of stream");
    wait_for("the connection to be gone", || proxy.stats().live == 0).await;
    assert_eq!(proxy.stats().limited, 1);
}

#[tokio::test]
async fn a_closing_client_closes_the_server_side() {
    let echo = echo_server().await;
    let proxy = FaultProxy::start(echo.address).await.unwrap();
    let mut client = TcpStream::connect(proxy.address()).await.unwrap();
    round_trip(&mut client, b"bye").await.unwrap();
    drop(client);
    wait_for("the connection to be gone", || proxy.stats().live == 0).await;
}

#[tokio::test]
async fn dropping_the_proxy_closes_its_connections() {
    let (_echo, proxy, mut client) = setup().await;
    round_trip(&mut client, b"x").await.unwrap();
    drop(proxy);
    let mut buf = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(5), client.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the client sees its connection end: {read:?}"
    );
}

#[tokio::test]
async fn a_following_proxy_answers_ssl_requests_itself_and_cuts_a_silent_startup() {
    let echo = echo_server().await;
    let proxy = FaultProxy::start(echo.address).await.unwrap();
    proxy.follow_statements();
    let mut client = TcpStream::connect(proxy.address()).await.unwrap();
    // SSLRequest: length 8, code 80877103; the proxy answers N and forwards nothing
    let mut request = 8i32.to_be_bytes().to_vec();
    request.extend(80_877_103i32.to_be_bytes());
    client.write_all(&request).await.unwrap();
    let mut answer = [0u8; 1];
    client.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"N");
    assert_eq!(echo.received.load(Ordering::SeqCst), 0);
    // the client says nothing more: a cut still ends the connection (had it not, the
    // cut would have given up waiting with the connection still live)
    assert_eq!(proxy.cut_all().await, 1);
    assert_eq!(proxy.stats().live, 0);
    let mut rest = [0u8; 1];
    assert!(matches!(client.read(&mut rest).await, Ok(0) | Err(_)));
}
