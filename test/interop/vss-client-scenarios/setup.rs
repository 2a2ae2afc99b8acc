//! What the runner hands over (service URL, credentials) and how scenarios build their clients.

use crate::flavor;
use bitcoin::bip32::Xpriv;
use bitcoin::secp256k1::SecretKey;
use bitcoin::Network;
use interop_harness::options::Options;
use interop_harness::sample::hex32;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use vss_client::client::VssClient;
use vss_client::error::VssError;
use vss_client::headers::{FixedHeaders, VssHeaderProvider};
use vss_client::util::retry::{
	ExponentialBackoffRetryPolicy, FilteredRetryPolicy, MaxAttemptsRetryPolicy, RetryPolicy,
};

/// Three quick attempts, and none for the errors ldk-node never retries: a scenario sees the real error fast.
pub type Policy = FilteredRetryPolicy<
	MaxAttemptsRetryPolicy<ExponentialBackoffRetryPolicy<VssError>>,
	fn(&VssError) -> bool,
>;
/// The client every scenario uses.
pub type Client = VssClient<Policy>;

fn permanent(error: &VssError) -> bool {
	matches!(
		error,
		VssError::NoSuchKeyError(_) | VssError::InvalidRequestError(_) | VssError::ConflictError(_)
	)
}

fn policy() -> Policy {
	ExponentialBackoffRetryPolicy::new(Duration::from_millis(10))
		.with_max_attempts(3)
		.skip_retry_on_error(permanent as fn(&VssError) -> bool)
}

/// The service and the credentials of one run.
pub struct Setup {
	/// `http://127.0.0.1:PORT/vss`
	pub url: String,
	/// The sigs identity's secret key.
	pub sigs_key: SecretKey,
	/// A JWT the service accepts (signed by the runner with a key it configured).
	pub jwt: String,
	/// The built-in LNURL-auth issuer: `http://localhost:PORT/vss/auth/lnurl`.
	pub lnurl_url: String,
	/// The LNURL-auth parent key (as ldk-node's m/877'/138').
	pub lnurl_parent: Xpriv,
	/// Makes store ids unique per run, in case the service keeps state between runs.
	pub run_id: String,
}

impl Setup {
	/// From `--url --sigs-key --jwt --lnurl-url --lnurl-seed --run-id`.
	pub fn from_options(options: &Options) -> Result<Setup, String> {
		let sigs_key = sigs_key(options)?;
		let lnurl_seed = hex32(&options.get("lnurl-seed")?)?;
		let lnurl_parent = Xpriv::new_master(Network::Regtest, &lnurl_seed).map_err(|e| e.to_string())?;
		Ok(Setup {
			url: options.get("url")?,
			sigs_key,
			jwt: options.get("jwt")?,
			lnurl_url: options.get("lnurl-url")?,
			lnurl_parent,
			run_id: options.get("run-id")?,
		})
	}

	/// A store id of its own for one scenario, e.g. `v0.6.0/calls/1712345678`.
	pub fn store(&self, scenario: &str) -> String {
		format!("{}/{}/{}", flavor::VERSION, scenario, self.run_id)
	}

	/// A client authenticated by the crate's sigs provider.
	pub fn sigs_client(&self) -> Client {
		self.client_with(flavor::sigs_provider(self.sigs_key))
	}

	/// A client whose only header is `Authorization: <value>` (the crate's FixedHeaders).
	pub fn fixed_client(&self, authorization: &str) -> Client {
		let headers = HashMap::from([("Authorization".to_string(), authorization.to_string())]);
		self.client_with(Arc::new(FixedHeaders::new(headers)))
	}

	/// A client authenticated by the crate's LNURL-auth → JWT provider against the built-in issuer.
	pub fn lnurl_client(&self) -> Result<Client, String> {
		Ok(self.client_with(flavor::lnurl_provider(self.lnurl_parent, self.lnurl_url.clone())?))
	}

	/// A client that sends no credentials at all.
	pub fn anonymous_client(&self) -> Client {
		VssClient::new(self.url.clone(), policy())
	}

	fn client_with(&self, provider: Arc<dyn VssHeaderProvider>) -> Client {
		client_with(&self.url, provider)
	}
}

/// A client of the service at `url` whose headers come from `provider`.
pub fn client_with(url: &str, provider: Arc<dyn VssHeaderProvider>) -> Client {
	VssClient::new_with_headers(url.to_string(), policy(), provider)
}

/// The sigs secret key from `--sigs-key` (64 hex digits).
pub fn sigs_key(options: &Options) -> Result<SecretKey, String> {
	SecretKey::from_slice(&hex32(&options.get("sigs-key")?)?).map_err(|e| e.to_string())
}
