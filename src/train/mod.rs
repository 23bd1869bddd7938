//! Training: losses, optimizers, initialisation, the mini-batch [`Trainer`], evaluation,
//! and (with `std`) the epoch loop.
//!
//! Imports from `net/` and `num/` only.

#[cfg(feature = "std")]
pub mod fit;
pub mod init;
pub mod loss;
pub mod optim;

mod budget;
mod error;
mod trainer;

pub use error::TrainError;
pub use trainer::{Evaluation, Trainer, evaluate, shuffle, uniform_below};
