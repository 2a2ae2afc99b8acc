//! One line per scenario on stdout — `PASS <name>` or `FAIL <name>: <why>` — which scripts/interop.mjs counts.

use std::future::Future;
use std::time::Duration;

/// What a scenario returns: `Ok(())`, or a one-line message saying what went wrong.
pub type Outcome = Result<(), String>;

/// No scenario may hang the suite: past this it fails.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(180);

/// Counts and prints scenario outcomes under a common name prefix (the client and its version).
pub struct Report {
	prefix: String,
	failed: usize,
}

impl Report {
	/// A report whose scenario names start with `prefix`, e.g. `vss-client-ng 0.6.0`.
	pub fn new(prefix: impl Into<String>) -> Self {
		Report { prefix: prefix.into(), failed: 0 }
	}

	/// Prints the outcome of scenario `name`.
	pub fn record(&mut self, name: &str, outcome: Outcome) {
		match outcome {
			Ok(()) => println!("PASS {} / {}", self.prefix, name),
			Err(why) => {
				self.failed += 1;
				println!("FAIL {} / {}: {}", self.prefix, name, one_line(&why));
			},
		}
	}

	/// Runs `scenario` as its own task, so that a panic or a hang fails this scenario only.
	pub async fn run<F>(&mut self, name: &str, scenario: F)
	where
		F: Future<Output = Outcome> + Send + 'static,
	{
		let outcome = match tokio::time::timeout(SCENARIO_TIMEOUT, tokio::spawn(scenario)).await {
			Ok(Ok(outcome)) => outcome,
			Ok(Err(join_error)) => Err(format!("panicked: {join_error}")),
			Err(_) => Err(format!("did not finish within {} s", SCENARIO_TIMEOUT.as_secs())),
		};
		self.record(name, outcome);
	}

	/// The process exit code: 0 when every scenario passed.
	pub fn exit_code(&self) -> i32 {
		if self.failed == 0 {
			0
		} else {
			1
		}
	}
}

fn one_line(text: &str) -> String {
	text.split_whitespace().collect::<Vec<_>>().join(" ")
}
