//! `readiness`: proves, on a real PostgreSQL, the claims a team makes about its database.

mod bench;
mod cli;
mod colour;
mod drill;
mod exit;
mod init;
mod interrupt;
mod mutate;
mod progress;
mod verify;

use clap::Parser;

fn main() -> std::process::ExitCode {
    progress::install();
    init_tracing();
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return exit::report_error(
                &anyhow::Error::new(e).context("failed to start the async runtime"),
            )
        }
    };
    runtime.block_on(async {
        interrupt::install();
        match cli.command {
            cli::Command::Verify(args) => verify::run(args).await,
            cli::Command::List => verify::list(),
            cli::Command::Bench(args) => bench::run(args).await,
            cli::Command::Drill(args) => drill::run(args).await,
            cli::Command::Init(args) => init::run(args).await,
            cli::Command::Mutate(args) => mutate::run(args).await,
        }
    })
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("READINESS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(progress::log_writer)
        .without_time()
        .init();
}
