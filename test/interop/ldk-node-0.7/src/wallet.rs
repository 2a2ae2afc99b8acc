//! One wallet's life on the service: built on an empty store, started, asked for an address and an invoice,
//! stopped; then built again from the same seed in a fresh data directory, which must restore it from VSS alone.

use crate::auth::{self, Auth};
use interop_harness::{ensure, expect_eq, Context};
use ldk_node::bitcoin::hashes::Hash;
use ldk_node::bitcoin::{Address, Network};
use ldk_node::lightning::ln::channelmanager::PaymentId;
use ldk_node::lightning_invoice::{Bolt11Invoice, Bolt11InvoiceDescription, Description};
use ldk_node::payment::{PaymentDirection, PaymentKind};
use ldk_node::{BuildError, Builder, Node, NodeError};

/// Where and how a wallet is built.
pub struct WalletSetup {
	pub auth: Auth,
	pub seed: [u8; 64],
	pub vss_url: String,
	pub lnurl_url: String,
	pub store_id: String,
	pub chain_url: String,
}

/// What the first life left behind, for the second to find.
pub struct FirstLife {
	pub node_id: String,
	pub address: Address,
	pub payment_id: PaymentId,
	pub amount_msat: u64,
}

const INVOICE_MSAT: u64 = 21_000_000;
const INVOICE_EXPIRY_SECS: u32 = 3600;

/// Builds a node in `data_dir` (must be fresh) on the VSS store.
pub fn build(setup: &WalletSetup, data_dir: &str) -> Result<Node, String> {
	build_fenced(setup, data_dir, None)
}

/// The same, with `vss-lease: <token>` as a fixed header on every request when `lease` is given.
pub fn build_fenced(setup: &WalletSetup, data_dir: &str, lease: Option<&str>) -> Result<Node, String> {
	try_build(setup, data_dir, lease)?.map_err(|e| format!("build failed: {e:?} (log in {data_dir})"))
}

/// The same, with ldk-node's own verdict inside: the outer error is ours (deriving the sigs key).
pub fn try_build(setup: &WalletSetup, data_dir: &str, lease: Option<&str>) -> Result<Result<Node, BuildError>, String> {
	let mut builder = Builder::new();
	builder.set_network(Network::Regtest);
	builder.set_entropy_seed_bytes(setup.seed);
	builder.set_storage_dir_path(data_dir.to_string());
	builder.set_chain_source_esplora(setup.chain_url.clone(), None);
	Ok(match setup.auth {
		Auth::Lnurl => builder.build_with_vss_store(
			setup.vss_url.clone(),
			setup.store_id.clone(),
			setup.lnurl_url.clone(),
			auth::fixed_headers(lease),
		),
		Auth::Sigs => builder.build_with_vss_store_and_header_provider(
			setup.vss_url.clone(),
			setup.store_id.clone(),
			auth::sigs_provider(&setup.seed, auth::fixed_headers(lease))?,
		),
	})
}

/// `bolt11_payment().receive(…)`: ldk-node persists the invoice's pending payment before it returns.
pub fn receive(node: &Node) -> Result<Bolt11Invoice, NodeError> {
	let description = Description::new("edge-vss interop".to_string()).map_err(|_| NodeError::InvoiceCreationFailed)?;
	node.bolt11_payment().receive(INVOICE_MSAT, &Bolt11InvoiceDescription::Direct(description), INVOICE_EXPIRY_SECS)
}

/// Creates a bolt11 invoice, which ldk-node records as a pending inbound payment; returns its id.
pub fn invoice(node: &Node) -> Result<PaymentId, String> {
	let invoice = receive(node).context("bolt11 receive")?;
	let payment_id = PaymentId(invoice.payment_hash().to_byte_array());
	ensure(node.payment(&payment_id).is_some(), || "the invoice's payment is not in the payment store".into())?;
	Ok(payment_id)
}

/// First life: build, hand out an address, start, create an invoice, stop.
pub fn first_life(setup: &WalletSetup, data_dir: &str) -> Result<FirstLife, String> {
	let node = build(setup, data_dir)?;
	let address = node.onchain_payment().new_address().context("new_address")?;
	node.start().context(&format!("start (log in {data_dir})"))?;
	let payment_id = invoice(&node)?;
	node.stop().context("stop")?;
	Ok(FirstLife { node_id: node.node_id().to_string(), address, payment_id, amount_msat: INVOICE_MSAT })
}

/// Second life, after the checks of [`restored`]: start, take a second invoice, remove the first payment (a
/// deleteObject from ldk-node), stop. Returns the second payment's id.
pub fn carry_on(node: &Node, first: &FirstLife) -> Result<PaymentId, String> {
	node.start().context("start")?;
	let second = invoice(node)?;
	node.remove_payment(&first.payment_id).context("remove_payment")?;
	ensure(node.payment(&first.payment_id).is_none(), || "the removed payment is still there".into())?;
	node.stop().context("stop")?;
	Ok(second)
}

/// Second life, in a fresh data directory: the same node id, the invoice's payment and the address index.
pub fn restored(node: &Node, first: &FirstLife) -> Vec<(&'static str, Result<(), String>)> {
	let node_id = expect_eq("node id", node.node_id().to_string(), first.node_id.clone());
	let payment = check_payment(node, first);
	let index = node.onchain_payment().new_address().context("new_address").and_then(|next| {
		ensure(next != first.address, || format!("new_address handed out {next} again: the address index was not restored"))
	});
	vec![
		("same node id", node_id),
		("the invoice's payment is restored", payment),
		("the wallet's address index is restored", index),
	]
}

fn check_payment(node: &Node, first: &FirstLife) -> Result<(), String> {
	let payment = node.payment(&first.payment_id).ok_or("the invoice's payment is missing")?;
	expect_eq("amount", payment.amount_msat, Some(first.amount_msat))?;
	expect_eq("direction", payment.direction, PaymentDirection::Inbound)?;
	ensure(matches!(payment.kind, PaymentKind::Bolt11 { .. }), || format!("kind: {:?}", payment.kind))
}
