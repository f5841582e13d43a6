//! criterion benches of the readiness binary's package, one module per topic.
//! `cargo bench` measures; CI runs each once with `cargo bench -- --test`.

mod provisioning;
mod proxy;

use criterion::{criterion_group, criterion_main};

criterion_group!(benches, provisioning::benches, proxy::benches);
criterion_main!(benches);
