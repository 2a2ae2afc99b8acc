//! What the TypeScript reader (test/interop/ts/ldk-store.mjs) needs to find and check in the store: the node's
//! identity and what it wrote. The reader derives every key from the seed itself; nothing secret is handed over.

use serde::Serialize;

/// Written as JSON to `--handover`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Handover {
	/// For the log: which node wrote the store.
	pub node_id: String,
	/// The payment id (hex) of the second life's invoice: the key ldk-node stores it under in `payments`.
	pub payment_id: String,
	/// The first life's payment, which the second life removed.
	pub removed_payment_id: String,
}

impl Handover {
	/// Writes the file.
	pub fn save(&self, path: &str) -> Result<(), String> {
		let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
		std::fs::write(path, text).map_err(|e| format!("write {path}: {e}"))
	}
}
