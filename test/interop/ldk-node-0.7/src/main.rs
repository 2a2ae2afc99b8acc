//! ldk-node 0.7.1 (the newest on crates.io) on the service. `wallet --auth lnurl|sigs …` runs one wallet's two
//! lives (wallet.rs) and writes a hand-over file for the TypeScript reader; `fence --auth lnurl|sigs …` fences the
//! node by a writer lease held by the app (fence.rs). Synchronous: ldk-node brings its own tokio runtime.

mod auth;
mod chain_stub;
mod fence;
mod handover;
mod lease_tool;
mod wallet;

use auth::Auth;
use handover::Handover;
use interop_harness::options::Options;
use interop_harness::sample::{from_hex, to_hex};
use interop_harness::Report;
use lease_tool::LeaseTool;
use wallet::WalletSetup;

const CLIENT: &str = "ldk-node 0.7.1";

fn main() {
	let mut report = Report::new(CLIENT);
	if let Err(error) = run(&mut report) {
		report.record("setup", Err(error));
	}
	std::process::exit(report.exit_code());
}

fn run(report: &mut Report) -> Result<(), String> {
	let options = Options::from_args()?;
	let seed: [u8; 64] = from_hex(&options.get("seed")?)?.try_into().map_err(|_| "--seed must be 64 bytes")?;
	let setup = WalletSetup {
		auth: Auth::parse(&options.get("auth")?)?,
		seed,
		vss_url: options.get("vss-url")?,
		lnurl_url: options.get("lnurl-url")?,
		store_id: options.get("store")?,
		chain_url: chain_stub::start()?,
	};
	let data_dir = options.get("data-dir")?;
	match options.command.as_str() {
		"wallet" => two_lives(&setup, &data_dir, &options.get("handover")?, report),
		"fence" => {
			let tool = LeaseTool::new(options.get("node")?, options.get("lease-tool")?, options.get("state")?, &setup);
			fence::run(&setup, &data_dir, &tool, report)
		},
		other => Err(format!("unknown command {other:?}")),
	}
}

fn two_lives(setup: &WalletSetup, data_dir: &str, handover_path: &str, report: &mut Report) -> Result<(), String> {
	let name = setup.auth.name();

	let first = wallet::first_life(setup, &format!("{data_dir}/first"));
	let first_outcome = first.as_ref().map(|_| ()).map_err(Clone::clone);
	report.record(&format!("{name}: build on an empty store, start, address, invoice, stop"), first_outcome);
	let first = first?;

	let node = wallet::build(setup, &format!("{data_dir}/restored"));
	report.record(&format!("{name}: rebuild from the seed in a fresh data directory"), node.as_ref().map(|_| ()).map_err(Clone::clone));
	let node = node?;
	for (check, outcome) in wallet::restored(&node, &first) {
		report.record(&format!("{name}: {check}"), outcome);
	}
	let second = wallet::carry_on(&node, &first);
	let outcome = second.as_ref().map(|_| ()).map_err(Clone::clone);
	report.record(&format!("{name}: the restored node starts, takes an invoice, removes the first payment, stops"), outcome);
	let second = second?;

	let handover = Handover {
		node_id: first.node_id.clone(),
		payment_id: to_hex(&second.0),
		removed_payment_id: to_hex(&first.payment_id.0),
	};
	handover.save(handover_path)
}
