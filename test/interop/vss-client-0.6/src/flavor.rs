//! What differs between the vss-client-ng versions: the name, and how the header providers are built.

use bitcoin::bip32::Xpriv;
use bitcoin::secp256k1::SecretKey;
use std::collections::HashMap;
use std::sync::Arc;
use vss_client::headers::sigs_auth::SigsAuthProvider;
use vss_client::headers::{LnurlAuthToJwtProvider, VssHeaderProvider};

/// The client under test, as PASS/FAIL lines name it.
pub const CLIENT: &str = "vss-client-ng 0.6.0";
/// Part of every store id, so the two versions never share a store.
pub const VERSION: &str = "v0.6.0";

/// The crate's own sigs provider.
pub fn sigs_provider(key: SecretKey) -> Arc<dyn VssHeaderProvider> {
	Arc::new(SigsAuthProvider::new(key, HashMap::new()))
}

/// The crate's LNURL-auth → JWT provider.
pub fn lnurl_provider(parent: Xpriv, url: String) -> Result<Arc<dyn VssHeaderProvider>, String> {
	Ok(Arc::new(LnurlAuthToJwtProvider::new(parent, url, HashMap::new())))
}
