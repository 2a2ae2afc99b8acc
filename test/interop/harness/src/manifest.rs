//! The byte-compatibility manifest: what one client sealed into a store, read back by the other.
//! The TypeScript side (test/interop/ts/compat.mjs) writes and reads the same JSON.

use serde::{Deserialize, Serialize};

/// How a value's AAD was chosen.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Debug)]
#[serde(rename_all = "kebab-case")]
pub enum Aad {
	/// The storage key's UTF-8 bytes (ldk-node's current layout).
	StorageKey,
	/// Empty (older stores and clients).
	None,
}

/// One sealed value: its plain key, the obfuscated key it is stored under, and the plaintext.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
	/// A short name for PASS/FAIL lines.
	pub label: String,
	pub key: String,
	pub storage_key: String,
	pub aad: Aad,
	/// The version inside the encrypted PlaintextBlob, in decimal: a JSON number would lose i64 precision in
	/// JavaScript.
	pub version: String,
	pub value_hex: String,
}

/// A value stored as is under a plain key: the keys themselves must survive both clients byte for byte.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct RawEntry {
	pub label: String,
	pub key: String,
	pub value_hex: String,
}

/// Everything one writer put into one store.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
	pub writer: String,
	pub store_id: String,
	pub entries: Vec<Entry>,
	pub raw: Vec<RawEntry>,
}

impl Manifest {
	/// Reads a manifest file.
	pub fn load(path: &str) -> Result<Manifest, String> {
		let text = std::fs::read_to_string(path).map_err(|e| format!("read {path}: {e}"))?;
		serde_json::from_str(&text).map_err(|e| format!("parse {path}: {e}"))
	}

	/// Writes the manifest file.
	pub fn save(&self, path: &str) -> Result<(), String> {
		let text = serde_json::to_string(self).map_err(|e| e.to_string())?;
		std::fs::write(path, text).map_err(|e| format!("write {path}: {e}"))
	}
}
