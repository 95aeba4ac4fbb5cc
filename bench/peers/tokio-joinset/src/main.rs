//! Fan-out/fan-in peer of `weft-bench.jar fanout` (issue #5): S `JoinSet`s one after another,
//! each spawns F tasks that return their index, `join_next`s them all and sums; the grand total
//! is checked. Default multi-thread runtime (one worker per CPU, `TOKIO_WORKER_THREADS`
//! overrides); the loop runs in `block_on` on the main thread, as `#[tokio::main]` does and as
//! the W1 spawn peer in shared/peers/tokio does.
//!
//! Timed from the first spawn until the total is computed. Prints one line:
//! `RESULT name=fanout impl=tokio scopes=S forks_per_scope=F workers=W forks_per_s=... tasks_per_s=... wall_ms=... sum=...`
//!
//! Usage: tokio-joinset-fanout [scopes=1000] [forks=1000] [warmup=0]
//! `warmup` untimed passes of the same loop run first, as `-Dbench.warmup=K` for the JVM side.
//! Build: cargo build --release --offline (against Debian's crate sources, see .cargo/config.toml)
use std::time::Instant;
use tokio::task::JoinSet;

fn arg(idx: usize, default: u64, min: u64) -> u64 {
    match std::env::args().nth(idx) {
        None => default,
        Some(s) => match s.replace('_', "").parse::<u64>() {
            Ok(v) if v >= min => v,
            _ => {
                eprintln!("error: argument {idx} must be an integer >= {min}, was {s:?}");
                std::process::exit(2)
            }
        },
    }
}

fn workers() -> usize {
    std::env::var("TOKIO_WORKER_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

/// One pass: `scopes` JoinSets one after another, each of `forks` tasks; returns the sum.
async fn pass(scopes: u64, forks: u64) -> u64 {
    let mut sum: u64 = 0;
    for _ in 0..scopes {
        let mut set = JoinSet::new();
        for i in 0..forks {
            set.spawn(async move { i });
        }
        while let Some(r) = set.join_next().await {
            sum += r.expect("task failed");
        }
    }
    sum
}

fn main() {
    let scopes = arg(1, 1000, 1);
    let forks = arg(2, 1000, 1);
    let warmup = arg(3, 0, 0);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("build tokio runtime");
    let (sum, elapsed) = rt.block_on(async move {
        for _ in 0..warmup {
            pass(scopes, forks).await;
        }
        let start = Instant::now();
        let sum = pass(scopes, forks).await;
        (sum, start.elapsed())
    });
    let expected = scopes * (forks * (forks - 1) / 2);
    if sum != expected {
        eprintln!("error: wrong sum {sum}, expected {expected}");
        std::process::exit(1);
    }
    drop(rt);
    let total = (scopes * forks) as f64;
    let per_s = total / elapsed.as_secs_f64();
    println!(
        "RESULT name=fanout impl=tokio scopes={scopes} forks_per_scope={forks} workers={} forks_per_s={per_s:.0} tasks_per_s={per_s:.0} wall_ms={:.1} sum={sum} warmup={warmup}",
        workers(),
        elapsed.as_secs_f64() * 1e3
    );
}
