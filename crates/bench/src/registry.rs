//! Every registered operation the sandbox serves, exported through the registry's typed drain
//! (`Connected::drain`): an SDK throughput row per operation, with no edit here when a vendor
//! crate registers one more. Its request is the sandbox's demo request of the operation (the
//! filters the vendor requires); its record count is checked against the sandbox's dataset.
//! The hand-written baselines stay per seed operation (`crate::baseline`, `crate::ops`).

use std::time::Duration;

use scrm_cli::args::Tuning;
use scrm_cli::env::VendorEnv;
use scrm_cli::vendors::{Connected, OpRef};
use scrm_core::PageOptions;
use scrm_sandbox::Sandbox;

use crate::measure::{side, timed};
use crate::report::RegistryRow;

/// The registered operations the sandbox serves, in registry order.
pub fn served(sandbox: &Sandbox) -> Vec<OpRef> {
    OpRef::all()
        .into_iter()
        .filter(|op| {
            let info = op.info();
            sandbox
                .dataset()
                .demo_request(info.vendor, info.name)
                .is_some()
        })
        .collect()
}

/// SDK throughput of `op`: one warm-up, then `runs` runs, a fresh client each (built outside
/// the timed part); medians.
pub fn throughput(
    rt: &tokio::runtime::Runtime,
    sandbox: &Sandbox,
    op: OpRef,
    runs: usize,
) -> Result<RegistryRow, String> {
    let info = op.info();
    let name = format!("{} {}", info.vendor, info.name);
    let dataset = sandbox.dataset();
    let demo = dataset
        .demo_request(info.vendor, info.name)
        .ok_or_else(|| format!("{name}: the sandbox does not serve it"))?;
    let expected = dataset
        .expected_for_each(info.vendor, info.name, &demo, |_| {})
        .ok_or_else(|| format!("{name}: the sandbox rejects its own demo request {demo}"))?
        as u64;
    let request = op.request_json(demo, None).map_err(|e| e.0)?;
    let env = VendorEnv::sandbox(sandbox, op.vendor());
    // No client-side rate limit worth the name: the bench measures the client, not the budget.
    let tuning = Tuning {
        rps: Some(1e9),
        max_attempts: None,
        page_size: None,
        concurrency: None,
    };
    let pages = PageOptions::default().empty_page_backoff(Duration::from_millis(50));
    let (mut walls, mut cpus, mut requests) = (Vec::new(), Vec::new(), 0);
    for round in 0..=runs {
        let client = Connected::connect(op.vendor(), &env, &tuning, pages.clone())
            .map_err(|e| format!("{name}: {e}"))?;
        let drain = client
            .drain(op, request.clone(), client.page_options())
            .map_err(|e| format!("{name}: {e}"))?;
        let t = timed(rt, drain);
        let drained = t.value.map_err(|e| format!("{name}: {e}"))?;
        if drained.records != expected {
            return Err(format!(
                "{name} sdk: exported {} records, the sandbox holds {expected}",
                drained.records
            ));
        }
        if round > 0 {
            walls.push(t.wall);
            cpus.push(t.cpu);
            requests = client.stats().requests;
        }
    }
    Ok(RegistryRow {
        op: name,
        records: expected,
        requests,
        runs,
        sdk: side(expected, walls, cpus),
    })
}
