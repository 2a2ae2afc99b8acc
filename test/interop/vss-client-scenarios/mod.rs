//! The scenarios every vss-client-ng version runs. This folder is not a crate: each client crate includes it with
//! `#[path]` and names its own vss-client-ng version `vss_client`, so the same source runs against 0.6 and 0.4.
//! Version-specific pieces (header providers) come from the including crate's `flavor` module.

pub mod auth;
pub mod calls;
pub mod compat;
pub mod listing;
pub mod ops;
pub mod setup;
pub mod transactions;
pub mod values;

use interop_harness::Report;
use setup::Setup;
use std::sync::Arc;

/// Runs every scenario against the service and prints one PASS/FAIL line each.
pub async fn run_all(setup: Arc<Setup>, report: &mut Report) {
	calls::run(&setup, report).await;
	transactions::run(&setup, report).await;
	listing::run(&setup, report).await;
	values::run(&setup, report).await;
	auth::run(&setup, report).await;
}
