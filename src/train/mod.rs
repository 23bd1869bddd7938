//! Training: losses, optimizers, initialisation, the mini-batch [`Trainer`], evaluation,
//! the [`Sample`]s they take, the built-in generator [`SplitMix64`], and (with `std`)
//! the epoch loop.
//!
//! Every function that takes a generator takes a `rand_core` **0.9** `RngCore` (the
//! version re-exported as `typenet::rand_core`).
//!
//! Imports from `net/` and `num/` only.

#[cfg(feature = "std")]
pub mod fit;
pub mod init;
pub mod loss;
pub mod optim;

mod accumulate;
#[cfg(feature = "std")]
mod backoff;
mod budget;
mod error;
#[cfg(feature = "std")]
mod fit_trainer;
mod hyper;
#[cfg(feature = "std")]
mod parallel;
mod rng;
mod sample;
mod trainer;
mod update;

pub use error::TrainError;
pub use hyper::HyperParameterError;
#[cfg(feature = "std")]
pub use parallel::{DEFAULT_CHUNKS, ParallelNetwork, ParallelTrainer};
pub use rng::SplitMix64;
pub use sample::Sample;
pub use trainer::{Evaluation, Trainer, evaluate};
