//! What the fault proxy costs when it injects nothing: a 64-byte round trip to a local
//! echo server, directly and through the proxy, on one connection each; and one SQL
//! statement (a bound `SELECT`, the extended protocol) against a real PostgreSQL directly,
//! through the proxy, and through the proxy reading the protocol (a transcript and the
//! statement gate, as command flows run), in one run.

use std::net::SocketAddr;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use harness::backend::native::NativeBackend;
use harness::faults::proxy::FaultProxy;
use harness::{Backend, ServerProfile};
use sqlx::{Connection, PgConnection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MESSAGE: [u8; 64] = [7; 64];

pub fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let (echo, proxy) = runtime.block_on(async {
        let echo = echo_server().await;
        let proxy = FaultProxy::start(echo).await.expect("the proxy starts");
        (echo, proxy)
    });
    let mut group = c.benchmark_group("proxy");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(1));
    for (name, address) in [("direct", echo), ("proxied", proxy.address())] {
        let mut stream = runtime.block_on(async {
            let stream = TcpStream::connect(address).await.expect("connect");
            stream.set_nodelay(true).expect("nodelay");
            stream
        });
        group.bench_function(BenchmarkId::new("round_trip_64b", name), |b| {
            b.iter(|| runtime.block_on(round_trip(&mut stream)))
        });
    }
    group.finish();
    drop(proxy);
    statements(c, &runtime);
}

fn statements(c: &mut Criterion, runtime: &tokio::runtime::Runtime) {
    let (server, plain, following) = runtime.block_on(async {
        let server = NativeBackend::new()
            .expect("PostgreSQL server binaries")
            .start(ServerProfile::Fast)
            .await
            .expect("a server");
        let plain = FaultProxy::in_front_of(&server.admin())
            .await
            .expect("the proxy starts");
        let following = FaultProxy::in_front_of(&server.admin())
            .await
            .expect("the proxy starts");
        following.follow_statements();
        (server, plain, following)
    });
    let mut group = c.benchmark_group("proxy");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(1));
    let admin = server.admin();
    for (name, info) in [
        ("direct", admin.clone()),
        ("proxied", plain.route(&admin)),
        ("proxied_following_statements", following.route(&admin)),
    ] {
        let mut conn = runtime.block_on(async {
            PgConnection::connect_with(&info.options())
                .await
                .expect("connect")
        });
        group.bench_function(BenchmarkId::new("statement", name), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    // a transcript grows with every statement: start each sample afresh
                    following.forget_statements();
                    let one: i32 = sqlx::query_scalar("SELECT $1::int")
                        .bind(1)
                        .fetch_one(&mut conn)
                        .await
                        .expect("a statement");
                    assert_eq!(one, 1);
                })
            })
        });
    }
    group.finish();
}

async fn round_trip(stream: &mut TcpStream) {
    let mut back = [0u8; 64];
    stream.write_all(&MESSAGE).await.expect("write");
    stream.read_exact(&mut back).await.expect("read");
}

async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buf).await {
                    if n == 0 || stream.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    address
}
