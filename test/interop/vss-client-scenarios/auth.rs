//! The three schemes a wallet can use: sigs (the crate's own signing provider, used by every other scenario),
//! JWT through the crate's fixed headers, and the crate's LNURL-auth provider against the built-in issuer.

use super::ops::{delete, expect_absent, expect_error, expect_stored, get, list_page, put};
use super::setup::{Client, Setup};
use interop_harness::{expect_eq, Context, Outcome, Report};
use std::sync::Arc;

/// Registers this module's scenarios.
pub async fn run(setup: &Arc<Setup>, report: &mut Report) {
	report.run("jwt: every call with a fixed Authorization: Bearer header", jwt_calls(Arc::clone(setup))).await;
	report.run("lnurl: the crate's LNURL-auth provider logs in and calls", lnurl_calls(Arc::clone(setup))).await;
	report.run("sigs, jwt and lnurl identities never share a store", isolation(Arc::clone(setup))).await;
	report.run("a bad bearer token and no credentials are AuthError", refused(Arc::clone(setup))).await;
	report.run("jwt: trailing spaces and a tab after the token are ignored", padded_header(Arc::clone(setup))).await;
}

/// put, get, update, list, delete: the whole surface through one client.
async fn round_trip(client: &Client, store: &str) -> Outcome {
	put(client, store, "k", 0, b"first").await.context("put k@0")?;
	put(client, store, "k", 1, b"second").await.context("put k@1")?;
	expect_stored(client, store, "k", 2, b"second").await?;
	let page = list_page(client, store, None, None, None).await.context("list")?;
	let keys: Vec<(String, i64)> = page.key_versions.into_iter().map(|kv| (kv.key, kv.version)).collect();
	expect_eq("listed", keys, vec![("k".to_string(), 2)])?;
	delete(client, store, "k", 2).await.context("delete k@2")?;
	expect_absent(client, store, "k").await
}

async fn jwt_calls(setup: Arc<Setup>) -> Outcome {
	let client = setup.fixed_client(&format!("Bearer {}", setup.jwt));
	round_trip(&client, &setup.store("jwt")).await
}

async fn lnurl_calls(setup: Arc<Setup>) -> Outcome {
	let client = setup.lnurl_client()?;
	round_trip(&client, &setup.store("lnurl")).await?;
	// Later calls reuse the cached token; a second client logs in again with a fresh k1.
	let again = setup.lnurl_client()?;
	round_trip(&again, &setup.store("lnurl")).await
}

async fn isolation(setup: Arc<Setup>) -> Outcome {
	let store = setup.store("shared-name");
	let sigs = setup.sigs_client();
	let jwt = setup.fixed_client(&format!("Bearer {}", setup.jwt));
	let lnurl = setup.lnurl_client()?;
	put(&sigs, &store, "k", 0, b"sigs").await.context("sigs put")?;
	put(&jwt, &store, "k", 0, b"jwt").await.context("jwt put (its own store, so version 0 is free)")?;
	put(&lnurl, &store, "k", 0, b"lnurl").await.context("lnurl put")?;
	expect_stored(&sigs, &store, "k", 1, b"sigs").await?;
	expect_stored(&jwt, &store, "k", 1, b"jwt").await?;
	expect_stored(&lnurl, &store, "k", 1, b"lnurl").await?;
	delete(&jwt, &store, "k", -1).await.context("jwt delete")?;
	expect_absent(&jwt, &store, "k").await?;
	expect_stored(&sigs, &store, "k", 1, b"sigs").await
}

async fn refused(setup: Arc<Setup>) -> Outcome {
	let store = setup.store("refused");
	let forged = setup.fixed_client("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
	expect_error("get with a forged token", get(&forged, &store, "k").await, "AuthError")?;
	let anonymous = setup.anonymous_client();
	expect_error("put without credentials", put(&anonymous, &store, "k", 0, b"").await, "AuthError")
}

/// HTTP trims a header value's surrounding whitespace; a token pasted with a trailing blank must still work.
async fn padded_header(setup: Arc<Setup>) -> Outcome {
	let client = setup.fixed_client(&format!("Bearer {}  \t", setup.jwt));
	let store = setup.store("padded-header");
	put(&client, &store, "k", 0, b"v").await.context("put with a padded Authorization header")?;
	expect_stored(&client, &store, "k", 1, b"v").await
}
