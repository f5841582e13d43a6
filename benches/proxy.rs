//! What the fault proxy costs when it injects nothing: a 64-byte round trip to a local
//! echo server, directly and through the proxy, on one connection each.

use std::net::SocketAddr;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use harness::faults::proxy::FaultProxy;
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
