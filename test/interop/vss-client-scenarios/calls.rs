//! getObject, putObjects and deleteObject one key at a time: versions -1, 0 and n, conflicts, NoSuchKey.

use super::ops::{delete, expect_absent, expect_error, expect_stored, get, put};
use super::setup::{client_with, Setup};
use crate::flavor;
use interop_harness::{Context, Outcome, Report};
use std::sync::Arc;

/// Registers this module's scenarios.
pub async fn run(setup: &Arc<Setup>, report: &mut Report) {
	report.run("get of a missing key is NoSuchKeyError", missing_key(Arc::clone(setup))).await;
	report.run("put at version 0 creates, n updates to n+1", create_and_update(Arc::clone(setup))).await;
	report.run("stale, future and repeated-create versions are ConflictError", conflicts(Arc::clone(setup))).await;
	report.run("put at version -1 upserts and resets to version 1", upsert(Arc::clone(setup))).await;
	report.run("deleteObject by version, by -1, mismatched and missing", deletes(Arc::clone(setup))).await;
	report.run("an empty value is stored and returned", empty_value(Arc::clone(setup))).await;
	report.run("a base URL ending in a slash works", trailing_slash(Arc::clone(setup))).await;
}

async fn missing_key(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("missing");
	expect_error("get of a never-written key", get(&client, &store, "absent").await, "NoSuchKeyError")?;
	put(&client, &store, "present", 0, b"x").await.context("put present@0")?;
	expect_error("get of another key", get(&client, &store, "absent").await, "NoSuchKeyError")
}

async fn create_and_update(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("create-update");
	put(&client, &store, "k", 0, b"one").await.context("put k@0")?;
	expect_stored(&client, &store, "k", 1, b"one").await?;
	put(&client, &store, "k", 1, b"two").await.context("put k@1")?;
	expect_stored(&client, &store, "k", 2, b"two").await?;
	put(&client, &store, "k", 2, b"three").await.context("put k@2")?;
	expect_stored(&client, &store, "k", 3, b"three").await
}

async fn conflicts(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("conflicts");
	put(&client, &store, "k", 0, b"v1").await.context("put k@0")?;
	put(&client, &store, "k", 1, b"v2").await.context("put k@1")?;
	expect_error("create k@0 again", put(&client, &store, "k", 0, b"x").await, "ConflictError")?;
	expect_error("stale k@1", put(&client, &store, "k", 1, b"x").await, "ConflictError")?;
	expect_error("future k@7", put(&client, &store, "k", 7, b"x").await, "ConflictError")?;
	expect_error("update of a missing key", put(&client, &store, "nope", 1, b"x").await, "ConflictError")?;
	expect_stored(&client, &store, "k", 2, b"v2").await?;
	expect_absent(&client, &store, "nope").await
}

async fn upsert(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("upsert");
	put(&client, &store, "fresh", -1, b"a").await.context("put fresh@-1")?;
	expect_stored(&client, &store, "fresh", 1, b"a").await?;
	put(&client, &store, "k", 0, b"v1").await.context("put k@0")?;
	put(&client, &store, "k", 1, b"v2").await.context("put k@1")?;
	put(&client, &store, "k", 2, b"v3").await.context("put k@2")?;
	put(&client, &store, "k", -1, b"reset").await.context("put k@-1")?;
	expect_stored(&client, &store, "k", 1, b"reset").await?;
	put(&client, &store, "k", -1, b"again").await.context("put k@-1 twice")?;
	expect_stored(&client, &store, "k", 1, b"again").await
}

async fn deletes(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("deletes");
	put(&client, &store, "exact", 0, b"1").await.context("put exact@0")?;
	delete(&client, &store, "exact", 1).await.context("delete exact@1")?;
	expect_absent(&client, &store, "exact").await?;
	put(&client, &store, "any", 0, b"1").await.context("put any@0")?;
	put(&client, &store, "any", 1, b"2").await.context("put any@1")?;
	delete(&client, &store, "any", -1).await.context("delete any@-1")?;
	expect_absent(&client, &store, "any").await?;
	put(&client, &store, "kept", 0, b"1").await.context("put kept@0")?;
	delete(&client, &store, "kept", 5).await.context("delete kept@5 (mismatch is not an error)")?;
	expect_stored(&client, &store, "kept", 1, b"1").await?;
	delete(&client, &store, "never", -1).await.context("delete of a missing key")?;
	delete(&client, &store, "exact", 1).await.context("delete of an already deleted key")
}

async fn empty_value(setup: Arc<Setup>) -> Outcome {
	let client = setup.sigs_client();
	let store = setup.store("empty-value");
	put(&client, &store, "empty", 0, b"").await.context("put empty@0")?;
	expect_stored(&client, &store, "empty", 1, b"").await
}

async fn trailing_slash(setup: Arc<Setup>) -> Outcome {
	let client = client_with(&format!("{}/", setup.url), flavor::sigs_provider(setup.sigs_key));
	let store = setup.store("trailing-slash");
	put(&client, &store, "k", 0, b"v").await.context("put k@0 via .../vss//putObjects")?;
	expect_stored(&client, &store, "k", 1, b"v").await?;
	delete(&client, &store, "k", 1).await.context("delete k@1")?;
	expect_absent(&setup.sigs_client(), &store, "k").await
}
