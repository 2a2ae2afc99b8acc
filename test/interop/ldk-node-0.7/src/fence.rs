//! An unmodified ldk-node fenced by the store's writer lease (MULTIDEVICE.md §4): the app (lease.mjs) holds the
//! lease, the node carries its token as a fixed `vss-lease` header. Device A's node writes while A's lease is live;
//! once device B forces a takeover, every write of A's running node fails and nothing reaches the store; nodes
//! without the header, or with a superseded or released token, cannot write; with no lease live, plain VSS again.

use crate::lease_tool::LeaseTool;
use crate::wallet::{self, WalletSetup};
use interop_harness::sample::to_hex;
use interop_harness::{ensure, expect_eq, Context, Outcome, Report};
use ldk_node::lightning::ln::channelmanager::PaymentId;
use ldk_node::{BuildError, Node, NodeError};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// How the server's fencing refusals begin (MULTIDEVICE.md §8); ldk-node logs them with the failed write.
const FENCED: &str = "fenced:";

/// Runs every phase, one PASS/FAIL line per check (lease.mjs adds its own).
pub fn run(setup: &WalletSetup, data_dir: &str, tool: &LeaseTool, report: &mut Report) -> Result<(), String> {
	let prefix = format!("fence ({})", setup.auth.flag());
	let mut check = |name: &str, outcome: Outcome| report.record(&format!("{prefix}: {name}"), outcome);
	let dir = |label: &str| format!("{data_dir}/{label}");
	tool.run("acquire", &[("holder", "device A"), ("as", "a"), ("force", "false")])?;
	let token_a = tool.token("a")?;

	let node = wallet::build_fenced(setup, &dir("a"), Some(&token_a))?;
	let written = node.start().context("start").and_then(|()| wallet::invoice(&node));
	let name = "with device A's live token as a fixed vss-lease header the node builds, starts, persists an invoice";
	check(name, written.as_ref().map(|_| ()).map_err(Clone::clone));
	let kept = written?;
	let kept_hex = to_hex(&kept.0);

	tool.run("acquire", &[("holder", "device B"), ("as", "b"), ("force", "true")])?;
	for (name, outcome) in lost_lease(&node, &kept, &dir("a")) {
		check(&format!("after device B's forced takeover, {name}"), outcome);
	}
	println!("ldk-node stop() after the takeover: {}", stop(node));

	let superseded = Some(token_a.as_str());
	for (label, sub, token) in [("without a vss-lease header", "none", None), ("with device A's superseded token", "old", superseded)] {
		check(&format!("a node {label} cannot write while device B holds the lease"), cannot_write(setup, &dir(sub), token));
	}
	tool.run("check", &[("since", "b"), ("payments", &kept_hex)])?;

	tool.run("release", &[("as", "b")])?;
	let token_b = tool.token("b")?;
	check("a node with device B's released token cannot write", cannot_write(setup, &dir("released"), Some(&token_b)));
	tool.run("check", &[("since", "released"), ("payments", &kept_hex)])?;
	check("with no lease live, a node without the header writes as before", can_write(setup, &dir("free")));
	Ok(())
}

/// The running node of device A once its lease is lost: its writes (a put and a delete) fail.
fn lost_lease(node: &Node, kept: &PaymentId, dir: &str) -> Vec<(&'static str, Outcome)> {
	let ids = |node: &Node| {
		let mut ids: Vec<String> = node.list_payments().iter().map(|p| to_hex(&p.id.0)).collect();
		ids.sort();
		ids
	};
	let payments = ids(node);
	let before = fenced_in_log(dir);
	let put = refused(wallet::receive(node).map(|_| ()), dir, before);
	let before = fenced_in_log(dir);
	let delete = refused(node.remove_payment(kept), dir, before).and_then(|()| {
		ensure(node.payment(kept).is_some(), || "the payment whose removal failed is gone from the node".into())
	});
	let list = expect_eq("payments", ids(node), payments);
	vec![
		("the running node's next invoice fails with PersistenceFailed", put),
		("removing a payment (a deleteObject) fails with PersistenceFailed", delete),
		("the node's payment list is unchanged", list),
	]
}

/// A node built from the store alone, in a fresh `dir`, with `lease` as its fixed header: it must not write.
/// ldk-node 0.7.1 writes `node_metrics` while building, so the refusal normally comes as BuildError::WriteFailed.
fn cannot_write(setup: &WalletSetup, dir: &str, lease: Option<&str>) -> Outcome {
	let label = dir.rsplit('/').next().unwrap_or(dir);
	let node = match wallet::try_build(setup, dir, lease)? {
		Err(BuildError::WriteFailed) => {
			println!("node {label:?}: refused while building (BuildError::WriteFailed)");
			let quoted = fenced_in_log(dir) > 0;
			return ensure(quoted, || format!("WriteFailed, but no {FENCED:?} refusal in {dir}/ldk_node.log"));
		},
		Err(other) => return Err(format!("build failed with {other:?}, want WriteFailed (log in {dir})")),
		Ok(node) => node,
	};
	let before = fenced_in_log(dir);
	let outcome = match node.start() {
		Err(error) => refused(Err(error), dir, before).map(|()| println!("node {label:?}: built, refused at start()")),
		Ok(()) => {
			let written = wallet::receive(&node).map(|_| ());
			refused(written, dir, before).map(|()| println!("node {label:?}: started, refused at receive()"))
		},
	};
	println!("ldk-node stop(): {}", stop(node));
	outcome
}

/// With no lease live, a node without the header starts, persists an invoice and stops cleanly.
fn can_write(setup: &WalletSetup, dir: &str) -> Outcome {
	let node = wallet::build_fenced(setup, dir, None)?;
	node.start().context("start")?;
	let written = wallet::invoice(&node);
	let stopped = stop(node);
	written?;
	ensure(stopped == "Ok", || format!("stop(): {stopped}"))
}

/// `result` must be PersistenceFailed, caused by the server's fencing refusal (a new `fenced:` line in the log).
fn refused(result: Result<(), NodeError>, dir: &str, before: usize) -> Outcome {
	match result {
		Err(NodeError::PersistenceFailed) => {
			let after = fenced_in_log(dir);
			ensure(after > before, || format!("PersistenceFailed, but no new {FENCED:?} refusal in {dir}/ldk_node.log"))
		},
		Err(other) => Err(format!("failed with {other:?}, want PersistenceFailed")),
		Ok(()) => Err("the write succeeded".into()),
	}
}

/// Lines of the node's log that quote a fencing refusal.
fn fenced_in_log(dir: &str) -> usize {
	let log = std::fs::read_to_string(format!("{dir}/ldk_node.log")).unwrap_or_default();
	log.lines().filter(|line| line.contains(FENCED)).count()
}

/// Stops and drops the node, catching panics (ldk-node panics when its background processor's final persist
/// fails); says how it went: `Ok`, `Err(…)` or `panicked: …`.
fn stop(node: Node) -> String {
	let stopped = catch_unwind(AssertUnwindSafe(|| node.stop()));
	let dropped = catch_unwind(AssertUnwindSafe(move || drop(node)));
	let said = match stopped {
		Ok(Ok(())) => "Ok".to_string(),
		Ok(Err(error)) => format!("Err({error:?})"),
		Err(panic) => format!("panicked: {}", panic_text(&panic)),
	};
	match dropped {
		Ok(()) => said,
		Err(panic) => format!("{said}; dropping the node panicked: {}", panic_text(&panic)),
	}
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
	let text = panic.downcast_ref::<&str>().map(|s| s.to_string());
	text.or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default()
}
