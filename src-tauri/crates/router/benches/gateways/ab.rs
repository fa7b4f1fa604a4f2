//! `SWITCHBOARD_BENCH_AB=label=BIN,label=BIN…`: several `switchboard` binaries (or
//! builds of one) side by side in ONE run, their streaming rounds interleaved with each
//! other's and with direct calls, so a change can be told from the machine's drift:
//! separate runs minutes apart differ by more than most changes do here.

use std::sync::Arc;

use crate::load::{sequential, Client};
use crate::report::pct_us;
use crate::{mock, procs};

pub fn run(
    spec: &str,
    rt: &tokio::runtime::Runtime,
    direct: Arc<crate::load::Target>,
) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut gws = Vec::new();
    for (i, item) in spec.split(',').enumerate() {
        let (label, bin) = item.split_once('=').ok_or("label=BIN")?;
        let sub = dir.path().join(format!("g{i}"));
        std::fs::create_dir_all(&sub).map_err(|e| e.to_string())?;
        let gw = procs::start_switchboard(std::path::Path::new(bin), &sub, direct.addr.port())?;
        gws.push((label.to_owned(), gw));
    }
    let rounds: usize = std::env::var("SWITCHBOARD_BENCH_AB_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let per: usize = 20;
    rt.block_on(async {
        let mut clients: Vec<Client> = std::iter::once(Client::new(direct.clone()))
            .chain(gws.iter().map(|(_, g)| Client::new(g.target.clone())))
            .collect();
        let mut delays: Vec<Vec<u64>> = vec![Vec::new(); clients.len()];
        let mut ttft: Vec<Vec<u64>> = vec![Vec::new(); clients.len()];
        mock::set_paced(true);
        for c in clients.iter_mut() {
            sequential(c, 20, true).await?;
        }
        for r in 0..rounds {
            let n = clients.len();
            for k in 0..n {
                let i = (k + r) % n;
                for s in sequential(&mut clients[i], per, true).await? {
                    ttft[i].push(s.ttft);
                    delays[i].extend(s.chunk_delays);
                }
            }
        }
        let names: Vec<String> = std::iter::once("direct".to_owned()).chain(gws.iter().map(|(l, _)| l.clone())).collect();
        println!("{:<14} {:>8} {:>8} {:>8} {:>8} {:>8} | added p50 p90 p99 | ttft p50", "per chunk µs", "p50", "p90", "p95", "p99", "p99.9");
        for (i, name) in names.iter().enumerate() {
            let d = &delays[i];
            let a = |p| pct_us(d, p) - pct_us(&delays[0], p);
            println!(
                "{:<14} {:>8.0} {:>8.0} {:>8.0} {:>8.0} {:>8.0} | {:>5.0} {:>5.0} {:>5.0} | {:>6.0}",
                name, pct_us(d, 50.0), pct_us(d, 90.0), pct_us(d, 95.0), pct_us(d, 99.0), pct_us(d, 99.9),
                a(50.0), a(90.0), a(99.0), pct_us(&ttft[i], 50.0) - pct_us(&ttft[0], 50.0)
            );
        }
        Ok::<(), String>(())
    })
}
