//! listKeyVersions: pagination over several hundred keys, newest-created first, prefixes, page sizes.

use super::ops::{kv, list_page, list_pages, put_all};
use super::setup::{Client, Setup};
use interop_harness::{ensure, expect_eq, Context, Outcome, Report};
use std::sync::Arc;
use vss_client::types::ListKeyVersionsResponse;

/// Keys in the pagination store, written in batches of `BATCH`.
const KEYS: usize = 350;
const BATCH: usize = 50;
/// The service's largest page (CONTRACT.md §7).
const MAX_PAGE: usize = 100;

/// Registers this module's scenarios.
pub async fn run(setup: &Arc<Setup>, report: &mut Report) {
	report.run("list pages through 350 keys, newest-created first", all_pages(Arc::clone(setup))).await;
	report.run("list with a prefix and page size 7", prefix_pages(Arc::clone(setup))).await;
	report.run("list of a prefix nothing matches is one empty last page", empty_prefix(Arc::clone(setup))).await;
}

fn key(i: usize) -> String {
	format!("item/{i:03}")
}

/// Writes `KEYS` keys in creation order 0, 1, … and bumps the first ten to version 2.
async fn fill(client: &Client, store: &str) -> Outcome {
	for start in (0..KEYS).step_by(BATCH) {
		let items = (start..start + BATCH).map(|i| kv(&key(i), 0, i.to_string().as_bytes())).collect();
		put_all(client, store, items, vec![], None).await.context(&format!("put keys {start}…"))?;
	}
	let updates = (0..10).map(|i| kv(&key(i), 1, b"updated")).collect();
	put_all(client, store, updates, vec![], None).await.context("update keys 0…9")
}

fn listed(pages: &[ListKeyVersionsResponse]) -> Vec<(String, i64)> {
	pages.iter().flat_map(|p| p.key_versions.iter().map(|kv| (kv.key.clone(), kv.version))).collect()
}

fn check_page_shape(pages: &[ListKeyVersionsResponse], max: usize) -> Outcome {
	for (n, page) in pages.iter().enumerate() {
		ensure(page.key_versions.len() <= max, || format!("page {n} has {} keys (max {max})", page.key_versions.len()))?;
		ensure(page.key_versions.iter().all(|kv| kv.value.is_empty()), || format!("page {n} carries values"))?;
		let want_global = if n == 0 { Some(0) } else { None };
		expect_eq(&format!("global_version on page {n}"), page.global_version, want_global)?;
	}
	let last = pages.last().ok_or("no page")?;
	expect_eq("next_page_token of the last page", last.next_page_token.as_deref(), Some(""))
}

async fn all_pages(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("list-all");
	fill(&client, &store).await?;
	let pages = list_pages(&client, &store, None, None).await?;
	check_page_shape(&pages, MAX_PAGE)?;
	expect_eq("number of pages", pages.len(), KEYS.div_ceil(MAX_PAGE))?;
	let want: Vec<(String, i64)> = (0..KEYS).rev().map(|i| (key(i), if i < 10 { 2 } else { 1 })).collect();
	let got = listed(&pages);
	expect_eq("number of keys", got.len(), want.len())?;
	if let Some(n) = (0..want.len()).find(|&n| got[n] != want[n]) {
		return Err(format!("entry {n}: got {:?}, want {:?} (newest-created first)", got[n], want[n]));
	}
	Ok(())
}

async fn prefix_pages(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("list-prefix");
	fill(&client, &store).await?;
	put_all(&client, &store, vec![kv("item/1", 0, b"the prefix itself"), kv("other/100", 0, b"")], vec![], None)
		.await
		.context("put item/1 and other/100")?;
	let pages = list_pages(&client, &store, Some("item/1"), Some(7)).await?;
	check_page_shape(&pages, 7)?;
	let mut want: Vec<(String, i64)> = vec![("item/1".to_string(), 1)];
	want.extend((100..200).rev().map(|i| (key(i), 1)));
	expect_eq("keys under item/1", listed(&pages), want)
}

async fn empty_prefix(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("list-empty");
	put_all(&client, &store, vec![kv("a", 0, b"")], vec![], None).await.context("put a")?;
	let page = list_page(&client, &store, Some("zzz"), None, None).await.context("list prefix zzz")?;
	expect_eq("keys", page.key_versions.len(), 0)?;
	expect_eq("next_page_token", page.next_page_token.as_deref(), Some(""))?;
	expect_eq("global_version", page.global_version, Some(0))
}
