//! criterion benches of the readiness binary's package, one module per topic.
//! `cargo bench` measures; CI runs each once with `cargo bench -- --test`.

mod backup;
mod indexes;
mod provisioning;
mod proxy;

use criterion::{criterion_group, criterion_main};

criterion_group!(
    benches,
    provisioning::benches,
    indexes::benches,
    backup::benches,
    proxy::benches
);
criterion_main!(benches);
