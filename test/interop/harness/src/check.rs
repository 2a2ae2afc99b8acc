//! Small assertions that return an error message instead of panicking.

use std::fmt::{Debug, Display};

/// `Err(message())` unless `condition` holds.
pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
	if condition {
		Ok(())
	} else {
		Err(message())
	}
}

/// `Err("<what>: got …, want …")` unless `got == want`.
pub fn expect_eq<T: PartialEq + Debug>(what: &str, got: T, want: T) -> Result<(), String> {
	ensure(got == want, || format!("{what}: got {}, want {}", short(&got), short(&want)))
}

/// Debug output, cut short for large values (a 12 MiB vector must not become a 12 MiB message).
pub fn short<T: Debug>(value: &T) -> String {
	const MAX: usize = 200;
	let text = format!("{value:?}");
	if text.len() <= MAX {
		return text;
	}
	let cut = (0..=MAX).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
	format!("{}… ({} characters)", &text[..cut], text.len())
}

/// Prefixes an error with what was being done: `client.get_object(&r).await.context("get k1")?`.
pub trait Context<T> {
	/// Maps the error to `"<what>: <error>"`.
	fn context(self, what: &str) -> Result<T, String>;
}

impl<T, E: Display> Context<T> for Result<T, E> {
	fn context(self, what: &str) -> Result<T, String> {
		self.map_err(|error| format!("{what}: {error}"))
	}
}
