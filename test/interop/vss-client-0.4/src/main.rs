//! The interop scenarios against vss-client-ng 0.4.1 (reqwest; the client of ldk-node 0.7).
//! `scenarios` runs every call; `compat-write` / `compat-read` exchange sealed values with the TypeScript client.

extern crate vss_client_04 as vss_client;

mod flavor;
#[path = "../../vss-client-scenarios/mod.rs"]
mod scenarios;

use interop_harness::options::Options;
use interop_harness::Report;
use std::sync::Arc;

#[tokio::main]
async fn main() {
	let mut report = Report::new(flavor::CLIENT);
	if let Err(error) = run(&mut report).await {
		report.record("setup", Err(error));
	}
	std::process::exit(report.exit_code());
}

async fn run(report: &mut Report) -> Result<(), String> {
	let options = Options::from_args()?;
	match options.command.as_str() {
		"scenarios" => {
			let setup = Arc::new(scenarios::setup::Setup::from_options(&options)?);
			scenarios::run_all(setup, report).await;
			Ok(())
		},
		"compat-write" => scenarios::compat::write(&options, report).await,
		"compat-read" => scenarios::compat::read(&options, report).await,
		other => Err(format!("unknown command {other:?}")),
	}
}
