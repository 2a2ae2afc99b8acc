//! The app that holds the lease: test/interop/ts/lease.mjs (our TypeScript client, the node's own identity), run
//! as a child process between the fence scenario's phases. Its PASS/FAIL lines go straight to our stdout.

use crate::wallet::WalletSetup;
use interop_harness::sample::to_hex;
use interop_harness::Context;
use std::process::Command;

/// How to run the tool for one wallet and where it keeps its state (tokens, epochs, revisions).
pub struct LeaseTool {
	pub node: String,
	pub script: String,
	pub state: String,
	pub common: Vec<String>,
}

impl LeaseTool {
	/// The tool for `setup`'s wallet and store.
	pub fn new(node: String, script: String, state: String, setup: &WalletSetup) -> LeaseTool {
		let common = [
			("url", setup.vss_url.clone()),
			("lnurl-url", setup.lnurl_url.clone()),
			("auth", setup.auth.flag().to_string()),
			("seed", to_hex(&setup.seed)),
			("store", setup.store_id.clone()),
			("state", state.clone()),
		];
		let common = common.into_iter().flat_map(|(name, value)| [format!("--{name}"), value]).collect();
		LeaseTool { node, script, state, common }
	}

	/// Runs `lease.mjs <command> <args>`; an error unless it passed every check.
	pub fn run(&self, command: &str, args: &[(&str, &str)]) -> Result<(), String> {
		let mut child = Command::new(&self.node);
		child.arg(&self.script).arg(command).args(&self.common);
		for (name, value) in args {
			child.arg(format!("--{name}")).arg(value);
		}
		let status = child.status().context(&format!("run {} {command}", self.script))?;
		if status.success() {
			Ok(())
		} else {
			Err(format!("lease.mjs {command} failed ({status})"))
		}
	}

	/// The token of the lease the tool took as `name`.
	pub fn token(&self, name: &str) -> Result<String, String> {
		let text = std::fs::read_to_string(&self.state).context(&format!("read {}", self.state))?;
		let state: serde_json::Value = serde_json::from_str(&text).context("parse the lease state")?;
		let token = state[name]["token"].as_str().map(str::to_string);
		token.ok_or_else(|| format!("no token for {name} in {}", self.state))
	}
}
