//! Tokio peer of Weft's file workloads; prints the same RESULT lines as
//! `java -jar weft-bench.jar files-read|files-storm` with impl=tokio.
//!
//!   tokio-fs-peer files-read  [mib=1024] [chunk_kib=64]
//!   tokio-fs-peer files-storm [files=10000] [size=4096] [tasks=64]
//!
//! Files live in $BENCH_DIR (default /tmp/weft-fs-bench), the same files the Java benchmark makes
//! (it creates them when missing, so run it once first, or this program creates them too).
//! Every file is read once untimed first (page cache), as in the Java benchmark.
use std::path::PathBuf;
use std::time::Instant;
use tokio::io::AsyncReadExt;

fn dir() -> PathBuf {
    let d = PathBuf::from(std::env::var("BENCH_DIR").unwrap_or_else(|_| "/tmp/weft-fs-bench".into()));
    std::fs::create_dir_all(&d).expect("bench dir");
    d
}

fn arg(a: &[String], i: usize, def: &str) -> String {
    a.get(i).cloned().unwrap_or_else(|| def.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let w = args.first().cloned().unwrap_or_default();
    let rest = &args[args.len().min(1)..];
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    match w.as_str() {
        "files-read" => rt.block_on(read(rest)),
        "files-storm" => rt.block_on(storm(rest)),
        _ => {
            eprintln!("usage: tokio-fs-peer files-read [mib] [chunk_kib] | files-storm [files] [size] [tasks]");
            std::process::exit(2);
        }
    }
}

async fn read(a: &[String]) {
    let mib: u64 = arg(a, 0, "1024").parse().unwrap();
    let chunk: usize = arg(a, 1, "64").parse::<usize>().unwrap() * 1024;
    let f = dir().join(format!("big-{}m.bin", mib));
    let size = mib << 20;
    if std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0) != size {
        let block: Vec<u8> = (0..1usize << 20).map(|i| (i * 31 + 7) as u8).collect();
        let mut all = std::fs::File::create(&f).unwrap();
        for _ in 0..mib {
            std::io::Write::write_all(&mut all, &block).unwrap();
        }
    }
    let _ = std::fs::read(&f).map(|v| v.len()); // page cache, untimed
    let t0 = Instant::now();
    let mut file = tokio::fs::File::open(&f).await.unwrap();
    let mut buf = vec![0u8; chunk];
    let mut total: u64 = 0;
    loop {
        let n = file.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    let dt = t0.elapsed().as_secs_f64();
    assert_eq!(total, size, "read {} of {}", total, size);
    println!(
        "RESULT name=files_read impl=tokio mib={} chunk_kib={} backend=spawn_blocking mb_per_s={:.0} wall_ms={:.1}",
        mib, chunk / 1024, size as f64 / 1048576.0 / dt, dt * 1e3
    );
}

async fn storm(a: &[String]) {
    let n: usize = arg(a, 0, "10000").parse().unwrap();
    let size: usize = arg(a, 1, "4096").parse().unwrap();
    let tasks: usize = arg(a, 2, "64").parse().unwrap();
    let d = dir().join(format!("storm-{}x{}", n, size));
    std::fs::create_dir_all(&d).unwrap();
    let mut paths = Vec::with_capacity(n);
    let mut content = vec![0u8; size];
    for i in 0..n {
        let p = d.join(format!("f{}", i));
        if std::fs::metadata(&p).map(|m| m.len() as usize).unwrap_or(usize::MAX) != size {
            if size > 0 {
                content[0] = i as u8;
            }
            std::fs::write(&p, &content).unwrap();
        }
        let _ = std::fs::read(&p).unwrap(); // page cache, untimed
        paths.push(p);
    }
    let paths = std::sync::Arc::new(paths);
    let t0 = Instant::now();
    let mut hs = Vec::with_capacity(tasks);
    for t in 0..tasks {
        let paths = paths.clone();
        hs.push(tokio::spawn(async move {
            let mut got = 0usize;
            let mut i = t;
            while i < paths.len() {
                got += tokio::fs::read(&paths[i]).await.unwrap().len();
                i += tasks;
            }
            got
        }));
    }
    let mut bytes = 0usize;
    for h in hs {
        bytes += h.await.unwrap();
    }
    let dt = t0.elapsed().as_secs_f64();
    assert_eq!(bytes, n * size);
    println!(
        "RESULT name=files_storm impl=tokio files={} size={} tasks={} backend=spawn_blocking files_per_s={:.0} wall_ms={:.1}",
        n, size, tasks, n as f64 / dt, dt * 1e3
    );
}
