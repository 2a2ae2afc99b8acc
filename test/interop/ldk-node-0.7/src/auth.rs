//! How the node authenticates to the service: ldk-node 0.7's own default (LNURL-auth → JWT from the built-in
//! issuer), or sigs with the key ldk-node 0.8 derives for it (m/877'/139'), signed by vss-client-ng 0.6's provider.

use ldk_node::bitcoin::bip32::{ChildNumber, Xpriv};
use ldk_node::bitcoin::secp256k1::Secp256k1;
use ldk_node::bitcoin::Network;
use ldk_node::vss_client::headers::VssHeaderProvider;
use std::collections::HashMap;
use std::sync::Arc;

/// ldk-node's VSS branch and, below it, the sigs key (ldk-node 0.8's VSS_SIGS_AUTH_HARDENED_CHILD_INDEX).
const VSS_CHILD: u32 = 877;
const SIGS_CHILD: u32 = 139;

/// The two ways this suite builds a node.
#[derive(Clone, Copy, PartialEq)]
pub enum Auth {
	/// `build_with_vss_store`: LNURL-auth against the service's built-in issuer.
	Lnurl,
	/// `build_with_vss_store_and_header_provider` with a sigs provider.
	Sigs,
}

impl Auth {
	/// From `--auth lnurl|sigs`.
	pub fn parse(text: &str) -> Result<Auth, String> {
		match text {
			"lnurl" => Ok(Auth::Lnurl),
			"sigs" => Ok(Auth::Sigs),
			other => Err(format!("--auth must be lnurl or sigs, got {other:?}")),
		}
	}

	/// As written on the command line.
	pub fn flag(self) -> &'static str {
		match self {
			Auth::Lnurl => "lnurl",
			Auth::Sigs => "sigs",
		}
	}

	/// The name in PASS/FAIL lines.
	pub fn name(self) -> &'static str {
		match self {
			Auth::Lnurl => "lnurl (build_with_vss_store)",
			Auth::Sigs => "sigs (build_with_vss_store_and_header_provider)",
		}
	}
}

/// The header that fences a write by the store's writer lease (MULTIDEVICE.md §4).
pub const LEASE_HEADER: &str = "vss-lease";

/// The fixed headers of a node: `vss-lease: <token>` when it is fenced by a lease, none otherwise.
pub fn fixed_headers(lease: Option<&str>) -> HashMap<String, String> {
	lease.map(|token| (LEASE_HEADER.to_string(), token.to_string())).into_iter().collect()
}

/// The sigs provider for the node seed: the private key at m/877'/139', adding `headers` to every request.
pub fn sigs_provider(seed: &[u8; 64], headers: HashMap<String, String>) -> Result<Arc<dyn VssHeaderProvider>, String> {
	let secp = Secp256k1::new();
	let master = Xpriv::new_master(Network::Regtest, seed).map_err(|e| e.to_string())?;
	let path = [ChildNumber::from_hardened_idx(VSS_CHILD), ChildNumber::from_hardened_idx(SIGS_CHILD)];
	let path: Vec<ChildNumber> = path.into_iter().collect::<Result<_, _>>().map_err(|e| e.to_string())?;
	let key = master.derive_priv(&secp, &path).map_err(|e| e.to_string())?;
	Ok(legacy_sigs::sigs_provider_with_headers(key.private_key, headers))
}
