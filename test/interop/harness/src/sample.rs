//! Deterministic test data, so that a failure can be reproduced byte for byte.

/// `len` pseudo-random bytes from `seed` (xorshift64*; test data, not cryptography).
pub fn bytes(seed: u64, len: usize) -> Vec<u8> {
	let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
	let mut out = Vec::with_capacity(len + 8);
	while out.len() < len {
		state ^= state >> 12;
		state ^= state << 25;
		state ^= state >> 27;
		out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
	}
	out.truncate(len);
	out
}

/// A 32-byte array from 64 hex digits.
pub fn hex32(text: &str) -> Result<[u8; 32], String> {
	use bitcoin::hex::FromHex;
	<[u8; 32]>::from_hex(text).map_err(|e| format!("expected 64 hex digits: {e}"))
}

/// Lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
	use bitcoin::hex::DisplayHex;
	bytes.to_lower_hex_string()
}

/// Bytes from hex.
pub fn from_hex(text: &str) -> Result<Vec<u8>, String> {
	use bitcoin::hex::FromHex;
	Vec::<u8>::from_hex(text).map_err(|e| format!("bad hex: {e}"))
}
