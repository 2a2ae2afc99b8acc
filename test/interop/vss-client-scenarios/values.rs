//! Values and keys at the edges: 12 MiB, byte-exact keys (600 characters, Unicode, U+FEFF), requests the
//! service must refuse as InvalidRequestError, and many calls in flight on one client.

use super::ops::{delete, expect_error, expect_stored, get, kv, list_page, list_pages, put, put_all};
use super::setup::Setup;
use interop_harness::sample::bytes;
use interop_harness::{expect_eq, Context, Outcome, Report};
use std::sync::Arc;
use tokio::task::JoinSet;
use vss_client::types::DeleteObjectRequest;

const LARGE_VALUE_BYTES: usize = 12 * 1024 * 1024;
/// ldk-node writes keys of exactly this many characters; one more is refused.
const MAX_KEY_CHARS: usize = 600;
const CONCURRENT_CALLS: usize = 40;

/// Registers this module's scenarios.
pub async fn run(setup: &Arc<Setup>, report: &mut Report) {
	report.run("a 12 MiB value round-trips byte for byte", large_value(Arc::clone(setup))).await;
	report.run("a 600-character key and non-ASCII keys are byte-exact", exact_keys(Arc::clone(setup))).await;
	report.run("a key starting with U+FEFF is distinct from the key without it", bom_key(Arc::clone(setup))).await;
	report.run("malformed requests are InvalidRequestError", invalid_requests(Arc::clone(setup))).await;
	report.run("40 calls in flight on one client", concurrent_calls(Arc::clone(setup))).await;
}

async fn large_value(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("large-value");
	let value = bytes(12, LARGE_VALUE_BYTES);
	put(&client, &store, "large", 0, &value).await.context("put 12 MiB at 0")?;
	expect_stored(&client, &store, "large", 1, &value).await?;
	let replacement = bytes(13, LARGE_VALUE_BYTES);
	put(&client, &store, "large", 1, &replacement).await.context("replace it at 1")?;
	expect_stored(&client, &store, "large", 2, &replacement).await
}

async fn exact_keys(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("exact-keys");
	let longest = "k".repeat(MAX_KEY_CHARS);
	let keys = [
		longest.as_str(),
		"caf\u{e9}",
		"cafe\u{301}",
		"\u{43a}\u{43b}\u{44e}\u{447} \u{1f511}",
		"tab\tand newline\n",
		"percent % underscore _ backslash \\",
		"Key",
		"key",
	];
	let items = keys.iter().enumerate().map(|(i, k)| kv(k, 0, i.to_string().as_bytes())).collect();
	put_all(&client, &store, items, vec![], None).await.context("put every key at 0")?;
	for (i, k) in keys.iter().enumerate() {
		expect_stored(&client, &store, k, 1, i.to_string().as_bytes()).await?;
	}
	let page = list_page(&client, &store, None, None, None).await.context("list")?;
	let mut listed: Vec<String> = page.key_versions.into_iter().map(|kv| kv.key).collect();
	listed.reverse();
	expect_eq("listed keys, oldest first", listed, keys.iter().map(|k| k.to_string()).collect())
}

async fn bom_key(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("bom-key");
	let items = vec![kv("\u{feff}bom", 0, b"with BOM"), kv("bom", 0, b"without")];
	put_all(&client, &store, items, vec![], None).await.context("put \\u{feff}bom and bom at 0")?;
	expect_stored(&client, &store, "\u{feff}bom", 1, b"with BOM").await?;
	expect_stored(&client, &store, "bom", 1, b"without").await?;
	let pages = list_pages(&client, &store, Some("\u{feff}"), None).await?;
	let listed: Vec<String> = pages.into_iter().flat_map(|p| p.key_versions).map(|kv| kv.key).collect();
	expect_eq("keys under the prefix U+FEFF", listed, vec!["\u{feff}bom".to_string()])?;
	delete(&client, &store, "\u{feff}bom", -1).await.context("delete \\u{feff}bom")?;
	expect_stored(&client, &store, "bom", 1, b"without").await
}

async fn invalid_requests(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("invalid");
	let too_long = "k".repeat(MAX_KEY_CHARS + 1);
	expect_error("put of a 601-character key", put(&client, &store, &too_long, 0, b"").await, "InvalidRequestError")?;
	expect_error("list with page size -1", list_page(&client, &store, None, Some(-1), None).await, "InvalidRequestError")?;
	let bad_token = list_page(&client, &store, None, None, Some("not a token".to_string())).await;
	expect_error("list with a made-up page token", bad_token, "InvalidRequestError")?;
	let no_key_value = client.delete_object(&DeleteObjectRequest { store_id: store.clone(), key_value: None }).await;
	expect_error("deleteObject without key_value", no_key_value, "InvalidRequestError")?;
	let reserved = put(&client, &store, "global_version", 0, b"").await;
	expect_error("put of the reserved key global_version", reserved, "InvalidRequestError")
}

async fn concurrent_calls(setup: Arc<Setup>) -> Outcome {
	let client = Arc::new(setup.sigs_client());
	let store = setup.store("concurrent");
	let mut writes = JoinSet::new();
	for i in 0..CONCURRENT_CALLS {
		let (client, store) = (Arc::clone(&client), store.clone());
		writes.spawn(async move { put(&client, &store, &format!("c{i}"), 0, &bytes(i as u64, 1000 + i)).await });
	}
	while let Some(joined) = writes.join_next().await {
		joined.map_err(|e| e.to_string())?.context("concurrent put")?;
	}
	let mut reads = JoinSet::new();
	for i in 0..CONCURRENT_CALLS {
		let (client, store) = (Arc::clone(&client), store.clone());
		reads.spawn(async move { (i, get(&client, &store, &format!("c{i}")).await) });
	}
	while let Some(joined) = reads.join_next().await {
		let (i, result) = joined.map_err(|e| e.to_string())?;
		let found = result.context(&format!("concurrent get c{i}"))?;
		expect_eq(&format!("c{i}"), (found.version, found.value), (1, bytes(i as u64, 1000 + i)))?;
	}
	Ok(())
}
