//! putObjects with several items and deletes (all or nothing), and the store-level global_version.

use super::ops::{expect_absent, expect_error, expect_stored, get, kv, list_page, put_all};
use super::setup::Setup;
use interop_harness::{expect_eq, Context, Outcome, Report};
use std::sync::Arc;

/// Registers this module's scenarios.
pub async fn run(setup: &Arc<Setup>, report: &mut Report) {
	report.run("a multi-item put with deletes applies every item", multi_item(Arc::clone(setup))).await;
	report.run("a multi-item put with one failing item applies none", all_or_nothing(Arc::clone(setup))).await;
	report.run("global_version: created at 0, checked, bumped, listed", global_version(Arc::clone(setup))).await;
}

async fn multi_item(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("multi-item");
	let items = vec![kv("x", 0, b"x1"), kv("y", 0, b"y1"), kv("z", 0, b"z1")];
	put_all(&client, &store, items, vec![], None).await.context("put x, y, z at 0")?;
	let items = vec![kv("x", 1, b"x2"), kv("w", 0, b"w1"), kv("z", -1, b"z2")];
	put_all(&client, &store, items, vec![kv("y", 1, b"")], None).await.context("put x@1 w@0 z@-1, delete y@1")?;
	expect_stored(&client, &store, "x", 2, b"x2").await?;
	expect_stored(&client, &store, "w", 1, b"w1").await?;
	expect_stored(&client, &store, "z", 1, b"z2").await?;
	expect_absent(&client, &store, "y").await?;
	put_all(&client, &store, vec![], vec![kv("w", -1, b""), kv("z", 1, b"")], None).await.context("delete w@-1 and z@1")?;
	expect_absent(&client, &store, "w").await?;
	expect_absent(&client, &store, "z").await
}

async fn all_or_nothing(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("all-or-nothing");
	put_all(&client, &store, vec![kv("a", 0, b"a1"), kv("b", 0, b"b1")], vec![], None).await.context("put a, b")?;
	let wrong_delete = put_all(&client, &store, vec![kv("a", 1, b"a2"), kv("new", 0, b"n")], vec![kv("b", 9, b"")], None);
	expect_error("a put whose delete item has the wrong version", wrong_delete.await, "ConflictError")?;
	let missing_delete = put_all(&client, &store, vec![kv("a", 1, b"a2")], vec![kv("gone", -1, b"")], None);
	expect_error("a put whose delete item names a missing key", missing_delete.await, "ConflictError")?;
	let wrong_put = put_all(&client, &store, vec![kv("new", 0, b"n"), kv("a", 5, b"a2")], vec![kv("b", 1, b"")], None);
	expect_error("a put with one stale item", wrong_put.await, "ConflictError")?;
	expect_stored(&client, &store, "a", 1, b"a1").await?;
	expect_stored(&client, &store, "b", 1, b"b1").await?;
	expect_absent(&client, &store, "new").await
}

async fn global_version(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("global-version");
	let first = list_page(&client, &store, None, None, None).await.context("list a new store")?;
	expect_eq("global_version of a new store", first.global_version, Some(0))?;
	put_all(&client, &store, vec![kv("k", 0, b"1")], vec![], Some(0)).await.context("put with global_version 0")?;
	let stale = put_all(&client, &store, vec![kv("k", 1, b"2")], vec![], Some(0));
	expect_error("put with a stale global_version", stale.await, "ConflictError")?;
	expect_stored(&client, &store, "k", 1, b"1").await?;
	put_all(&client, &store, vec![kv("k", 1, b"2")], vec![], Some(1)).await.context("put with global_version 1")?;
	put_all(&client, &store, vec![kv("other", 0, b"o")], vec![], None).await.context("put without global_version")?;
	let page = list_page(&client, &store, None, None, None).await.context("list")?;
	expect_eq("global_version after two versioned puts", page.global_version, Some(2))?;
	let record = get(&client, &store, "global_version").await.context("get global_version")?;
	expect_eq("getObject(global_version).version", record.version, 2)
}
