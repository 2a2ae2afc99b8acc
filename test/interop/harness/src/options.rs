//! `<binary> <command> --name value …`: the runner passes everything on the command line.

use std::collections::HashMap;

/// The command and its `--name value` options.
pub struct Options {
	/// The first argument, e.g. `scenarios`.
	pub command: String,
	values: HashMap<String, String>,
}

impl Options {
	/// Parses the process arguments.
	pub fn from_args() -> Result<Options, String> {
		let mut args = std::env::args().skip(1);
		let command = args.next().ok_or("usage: <command> --name value …")?;
		let mut values = HashMap::new();
		while let Some(flag) = args.next() {
			let name = flag.strip_prefix("--").ok_or_else(|| format!("expected --name, got {flag:?}"))?;
			let value = args.next().ok_or_else(|| format!("--{name} needs a value"))?;
			values.insert(name.to_string(), value);
		}
		Ok(Options { command, values })
	}

	/// The value of `--name`, which must be given.
	pub fn get(&self, name: &str) -> Result<String, String> {
		self.values.get(name).cloned().ok_or_else(|| format!("missing --{name}"))
	}
}
