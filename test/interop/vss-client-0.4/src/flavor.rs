//! What differs between the vss-client-ng versions: the name, and how the header providers are built.

use bitcoin::bip32::Xpriv;
use bitcoin::secp256k1::SecretKey;
use std::collections::HashMap;
use std::sync::Arc;
use vss_client::headers::{LnurlAuthToJwtProvider, VssHeaderProvider};

/// The client under test, as PASS/FAIL lines name it.
pub const CLIENT: &str = "vss-client-ng 0.4.1";
/// Part of every store id, so the two versions never share a store.
pub const VERSION: &str = "v0.4.1";

/// 0.4 has no sigs provider of its own: 0.6's, behind 0.4's trait (see legacy-sigs).
pub fn sigs_provider(key: SecretKey) -> Arc<dyn VssHeaderProvider> {
	legacy_sigs::sigs_provider(key)
}

/// The crate's LNURL-auth → JWT provider.
pub fn lnurl_provider(parent: Xpriv, url: String) -> Result<Arc<dyn VssHeaderProvider>, String> {
	let provider = LnurlAuthToJwtProvider::new(parent, url, HashMap::new()).map_err(|e| e.to_string())?;
	Ok(Arc::new(provider))
}
