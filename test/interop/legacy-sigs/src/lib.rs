//! vss-client-ng 0.4 (and so ldk-node 0.7) ships no sigs header provider; 0.6 does. This wraps 0.6's own
//! `SigsAuthProvider` in 0.4's `VssHeaderProvider` trait, so 0.4 clients sign exactly the way 0.6 signs.

use async_trait::async_trait;
use bitcoin::secp256k1::SecretKey;
use std::collections::HashMap;
use std::sync::Arc;
use vss_client_04::headers::VssHeaderProvider as Provider04;
use vss_client_04::headers::VssHeaderProviderError as Error04;
use vss_client_06::headers::sigs_auth::SigsAuthProvider;
use vss_client_06::headers::VssHeaderProvider as _;

/// A 0.4 header provider that delegates to 0.6's `SigsAuthProvider`.
pub struct SigsFor04(SigsAuthProvider);

/// 0.6's sigs provider for `key`, usable wherever 0.4 wants a header provider.
pub fn sigs_provider(key: SecretKey) -> Arc<dyn Provider04> {
	sigs_provider_with_headers(key, HashMap::new())
}

/// The same, adding `headers` to every request (0.6's `default_headers`), e.g. a fixed `vss-lease` header.
pub fn sigs_provider_with_headers(key: SecretKey, headers: HashMap<String, String>) -> Arc<dyn Provider04> {
	Arc::new(SigsFor04(SigsAuthProvider::new(key, headers)))
}

#[async_trait]
impl Provider04 for SigsFor04 {
	async fn get_headers(&self, request: &[u8]) -> Result<HashMap<String, String>, Error04> {
		self.0.get_headers(request).await.map_err(|e| Error04::InternalError { error: e.to_string() })
	}
}
