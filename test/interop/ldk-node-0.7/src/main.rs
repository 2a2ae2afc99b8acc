//! ldk-node 0.7.1 (the newest on crates.io) on the service. `wallet --auth lnurl|sigs …` runs one wallet's two
//! lives (wallet.rs) and writes a hand-over file for the TypeScript reader. Synchronous: ldk-node brings its own
//! tokio runtime.

mod auth;
mod chain_stub;
mod handover;
mod wallet;

use auth::Auth;
use handover::Handover;
use interop_harness::options::Options;
use interop_harness::sample::{from_hex, to_hex};
use interop_harness::Report;
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
	if options.command != "wallet" {
		return Err(format!("unknown command {:?}", options.command));
	}
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
	let name = setup.auth.name();

	let first = wallet::first_life(&setup, &format!("{data_dir}/first"));
	let first_outcome = first.as_ref().map(|_| ()).map_err(Clone::clone);
	report.record(&format!("{name}: build on an empty store, start, address, invoice, stop"), first_outcome);
	let first = first?;

	let node = wallet::build(&setup, &format!("{data_dir}/restored"));
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
	handover.save(&options.get("handover")?)
}
