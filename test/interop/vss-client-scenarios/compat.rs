//! Byte compatibility with the TypeScript client: values sealed by the crate's StorableBuilder under keys from
//! its KeyObfuscator, from fixed key material, are written to the service for TypeScript to open — and what
//! TypeScript sealed is opened here. The two sides exchange a manifest of plaintexts (harness::manifest).

use super::ops::{get, kv, list_pages, put_all};
use super::setup::{client_with, sigs_key, Client};
use crate::flavor;
use bitcoin::secp256k1::rand::{thread_rng, RngCore};
use interop_harness::manifest::{Aad, Entry, Manifest, RawEntry};
use interop_harness::options::Options;
use interop_harness::sample::{bytes, from_hex, hex32, to_hex};
use interop_harness::{ensure, expect_eq, Context, Outcome, Report};
use prost::Message;
use std::collections::BTreeSet;
use vss_client::types::Storable;
use vss_client::util::key_obfuscator::KeyObfuscator;
use vss_client::util::storable_builder::{EntropySource, StorableBuilder};

/// Fresh random nonces, as a wallet would use.
struct OsEntropy;

impl EntropySource for OsEntropy {
	fn fill_bytes(&self, buffer: &mut [u8]) {
		thread_rng().fill_bytes(buffer);
	}
}

/// The key material and the store both sides use.
struct Material {
	client: Client,
	store: String,
	data_key: [u8; 32],
	obfuscator: KeyObfuscator,
	manifest_path: String,
}

impl Material {
	fn from_options(options: &Options) -> Result<Material, String> {
		Ok(Material {
			client: client_with(&options.get("url")?, flavor::sigs_provider(sigs_key(options)?)),
			store: options.get("store")?,
			data_key: hex32(&options.get("data-key")?)?,
			obfuscator: KeyObfuscator::new(hex32(&options.get("obfuscation-key")?)?),
			manifest_path: options.get("manifest")?,
		})
	}
}

fn aad_bytes<'a>(entry_aad: Aad, storage_key: &'a str) -> &'a [u8] {
	match entry_aad {
		Aad::StorageKey => storage_key.as_bytes(),
		Aad::None => &[],
	}
}

/// What this side seals: ldk-node-like keys and values, and the edges (empty, Unicode, U+FEFF, 1 MiB, empty AAD).
fn cases() -> Vec<(&'static str, String, Vec<u8>, i64, Aad)> {
	vec![
		("an ldk-node-like key", "channel_manager".into(), bytes(1, 2000), 0, Aad::StorageKey),
		("a key with separators", "payments#sub#0123abcd".into(), bytes(2, 300), 7, Aad::StorageKey),
		("the empty key and an empty value", String::new(), vec![], 1, Aad::StorageKey),
		("a non-ASCII key", "\u{43a}\u{43b}\u{44e}\u{447} \u{1f511} caf\u{e9}".into(), bytes(3, 64), i64::MAX, Aad::StorageKey),
		("a key starting with U+FEFF", "\u{feff}bom".into(), b"bom".to_vec(), 3, Aad::StorageKey),
		("version -1 inside the blob", "minus".into(), bytes(4, 10), -1, Aad::StorageKey),
		("a 1 MiB value", "big".into(), bytes(5, 1 << 20), 2, Aad::StorageKey),
		("an empty AAD (older stores)", "legacy".into(), bytes(6, 100), 42, Aad::None),
	]
}

/// Plain keys stored as they are: a leading U+FEFF must not be lost by either side's UTF-8 decoding.
fn raw_cases() -> Vec<(&'static str, &'static str, Vec<u8>)> {
	vec![
		("plain key starting with U+FEFF", "\u{feff}bom", b"with BOM".to_vec()),
		("plain key without it", "bom", b"without".to_vec()),
	]
}

/// `compat-write`: seals every case into the store and writes the manifest.
pub async fn write(options: &Options, report: &mut Report) -> Result<(), String> {
	let material = Material::from_options(options)?;
	let builder = StorableBuilder::new(OsEntropy);
	let mut entries = Vec::new();
	let mut items = Vec::new();
	for (label, key, value, version, aad) in cases() {
		let storage_key = material.obfuscator.obfuscate(&key);
		let storable = builder.build(value.clone(), version, &material.data_key, aad_bytes(aad, &storage_key));
		items.push(kv(&storage_key, -1, &storable.encode_to_vec()));
		let value_hex = to_hex(&value);
		entries.push(Entry { label: label.into(), key, storage_key, aad, version: version.to_string(), value_hex });
	}
	let mut raw = Vec::new();
	for (label, key, value) in raw_cases() {
		items.push(kv(key, -1, &value));
		raw.push(RawEntry { label: label.into(), key: key.into(), value_hex: to_hex(&value) });
	}
	let count = items.len();
	let written = put_all(&material.client, &material.store, items, vec![], None).await.context("putObjects");
	let manifest = Manifest { writer: flavor::CLIENT.into(), store_id: material.store.clone(), entries, raw };
	let outcome = written.and_then(|()| manifest.save(&material.manifest_path));
	report.record(&format!("byte compat: seal {count} values for the TypeScript client"), outcome);
	Ok(())
}

/// `compat-read`: opens what the manifest's writer sealed, one scenario per value.
pub async fn read(options: &Options, report: &mut Report) -> Result<(), String> {
	let material = Material::from_options(options)?;
	let manifest = Manifest::load(&material.manifest_path)?;
	report.record(&format!("byte compat: {}'s store lists exactly its keys", manifest.writer), same_keys(&material, &manifest).await);
	for entry in &manifest.entries {
		let name = format!("byte compat: open {}'s {}", manifest.writer, entry.label);
		report.record(&name, open(&material, entry).await);
	}
	for entry in &manifest.raw {
		let name = format!("byte compat: read {}'s {}", manifest.writer, entry.label);
		report.record(&name, read_raw(&material, entry).await);
	}
	Ok(())
}

async fn same_keys(material: &Material, manifest: &Manifest) -> Outcome {
	let pages = list_pages(&material.client, &material.store, None, None).await?;
	let listed: BTreeSet<String> = pages.into_iter().flat_map(|p| p.key_versions).map(|kv| kv.key).collect();
	let sealed = manifest.entries.iter().map(|e| e.storage_key.clone());
	let want: BTreeSet<String> = sealed.chain(manifest.raw.iter().map(|e| e.key.clone())).collect();
	expect_eq("storage keys", listed, want)
}

async fn open(material: &Material, entry: &Entry) -> Outcome {
	expect_eq("obfuscate(key) here", material.obfuscator.obfuscate(&entry.key), entry.storage_key.clone())?;
	let plain = material.obfuscator.deobfuscate(&entry.storage_key).context("deobfuscate")?;
	expect_eq("deobfuscated key", plain.as_str(), entry.key.as_str())?;
	let stored = get(&material.client, &material.store, &entry.storage_key).await.context("getObject")?;
	let storable = Storable::decode(&stored.value[..]).context("decode Storable")?;
	let builder = StorableBuilder::new(OsEntropy);
	let aad = aad_bytes(entry.aad, &entry.storage_key);
	let (value, version) = builder.deconstruct(storable, &material.data_key, aad).context("decrypt")?;
	expect_eq("version in the blob", version.to_string(), entry.version.clone())?;
	let want = from_hex(&entry.value_hex)?;
	ensure(value == want, || format!("value: got {} bytes, want {} bytes (or different content)", value.len(), want.len()))
}

async fn read_raw(material: &Material, entry: &RawEntry) -> Outcome {
	let stored = get(&material.client, &material.store, &entry.key).await.context("getObject")?;
	expect_eq("key", stored.key.as_str(), entry.key.as_str())?;
	expect_eq("value", to_hex(&stored.value), entry.value_hex.clone())
}
