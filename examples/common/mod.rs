//! Code shared by the examples and by `tests/training.rs` (which includes this file
//! with `#[path = "../examples/common/mod.rs"] mod common;`):
//!
//! - [`csv`]: a CSV loader for labelled data with a [`csv::LoadError`] naming the line;
//! - [`tasks`]: the digits, iris and sine set-ups, so the tests train exactly what the
//!   examples train;
//! - [`progress`]: the per-epoch progress line;
//! - [`heldout`]: the held-out digits the firmware classifies, and its printed tally.
//!
//! It lives in a folder so that cargo does not take it for an example of its own.

// Each example uses only its own part of this module.
#![allow(dead_code)]

pub mod csv;
pub mod heldout;
pub mod progress;
pub mod tasks;
