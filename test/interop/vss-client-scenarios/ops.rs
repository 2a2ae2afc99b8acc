//! Thin helpers over the crate's calls, so scenarios read as what they check.

use super::setup::Client;
use interop_harness::check::short;
use interop_harness::{ensure, Context};
use vss_client::error::VssError;
use vss_client::types::{
	DeleteObjectRequest, GetObjectRequest, KeyValue, ListKeyVersionsRequest, ListKeyVersionsResponse,
	PutObjectRequest,
};

/// A `KeyValue` item.
pub fn kv(key: &str, version: i64, value: &[u8]) -> KeyValue {
	KeyValue { key: key.to_string(), version, value: value.to_vec() }
}

/// putObjects with `items`, `deletes` and an optional global version.
pub async fn put_all(
	client: &Client, store: &str, items: Vec<KeyValue>, deletes: Vec<KeyValue>, global_version: Option<i64>,
) -> Result<(), VssError> {
	let request = PutObjectRequest {
		store_id: store.to_string(),
		global_version,
		transaction_items: items,
		delete_items: deletes,
	};
	client.put_object(&request).await.map(|_| ())
}

/// putObjects with one item.
pub async fn put(client: &Client, store: &str, key: &str, version: i64, value: &[u8]) -> Result<(), VssError> {
	put_all(client, store, vec![kv(key, version, value)], vec![], None).await
}

/// getObject; the crate itself refuses a success without a value.
pub async fn get(client: &Client, store: &str, key: &str) -> Result<KeyValue, VssError> {
	let request = GetObjectRequest { store_id: store.to_string(), key: key.to_string() };
	let response = client.get_object(&request).await?;
	Ok(response.value.unwrap_or_default())
}

/// deleteObject of `key` at `version`.
pub async fn delete(client: &Client, store: &str, key: &str, version: i64) -> Result<(), VssError> {
	let request = DeleteObjectRequest { store_id: store.to_string(), key_value: Some(kv(key, version, b"")) };
	client.delete_object(&request).await.map(|_| ())
}

/// One listKeyVersions call.
pub async fn list_page(
	client: &Client, store: &str, prefix: Option<&str>, page_size: Option<i32>, token: Option<String>,
) -> Result<ListKeyVersionsResponse, VssError> {
	let request = ListKeyVersionsRequest {
		store_id: store.to_string(),
		key_prefix: prefix.map(str::to_string),
		page_size,
		page_token: token,
	};
	client.list_key_versions(&request).await
}

/// Every page of a listing, following `next_page_token` until it is absent or empty (as ldk-node does).
pub async fn list_pages(
	client: &Client, store: &str, prefix: Option<&str>, page_size: Option<i32>,
) -> Result<Vec<ListKeyVersionsResponse>, String> {
	const MAX_PAGES: usize = 10_000;
	let mut pages = Vec::new();
	let mut token = None;
	loop {
		let page = list_page(client, store, prefix, page_size, token).await.context("listKeyVersions")?;
		token = page.next_page_token.clone().filter(|t| !t.is_empty());
		pages.push(page);
		if token.is_none() {
			return Ok(pages);
		}
		ensure(pages.len() < MAX_PAGES, || format!("still paging after {MAX_PAGES} pages"))?;
	}
}

/// The variant of an error, for messages and comparisons (any other variant, such as 0.6's
/// version mismatch, is "other").
pub fn kind(error: &VssError) -> &'static str {
	match error {
		VssError::NoSuchKeyError(_) => "NoSuchKeyError",
		VssError::InvalidRequestError(_) => "InvalidRequestError",
		VssError::ConflictError(_) => "ConflictError",
		VssError::AuthError(_) => "AuthError",
		VssError::InternalServerError(_) => "InternalServerError",
		VssError::InternalError(_) => "InternalError",
		#[allow(unreachable_patterns)]
		_ => "other",
	}
}

/// `Ok` when `result` failed with the error variant `want`.
pub fn expect_error<T: std::fmt::Debug>(what: &str, result: Result<T, VssError>, want: &str) -> Result<(), String> {
	match result {
		Err(error) if kind(&error) == want => Ok(()),
		Err(error) => Err(format!("{what}: want {want}, got {} ({error})", kind(&error))),
		Ok(value) => Err(format!("{what}: want {want}, got success {}", short(&value))),
	}
}

/// Checks a stored key's version and value.
pub async fn expect_stored(client: &Client, store: &str, key: &str, version: i64, value: &[u8]) -> Result<(), String> {
	let found = get(client, store, key).await.context(&format!("get {key:?}"))?;
	interop_harness::expect_eq(&format!("key of {key:?}"), found.key.as_str(), key)?;
	interop_harness::expect_eq(&format!("version of {key:?}"), found.version, version)?;
	ensure(found.value == value, || {
		format!("value of {key:?}: got {} bytes, want {} bytes (or different content)", found.value.len(), value.len())
	})
}

/// Checks that `key` is absent.
pub async fn expect_absent(client: &Client, store: &str, key: &str) -> Result<(), String> {
	expect_error(&format!("get {key:?}"), get(client, store, key).await, "NoSuchKeyError")
}
