//! What every interop binary shares: one PASS/FAIL line per scenario, command-line options, error context,
//! deterministic test data and the byte-compatibility manifest exchanged with the TypeScript client.

pub mod check;
pub mod manifest;
pub mod options;
pub mod report;
pub mod sample;

pub use check::{ensure, expect_eq, Context};
pub use report::{Outcome, Report};
