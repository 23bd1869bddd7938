//! Optimizers, learning-rate schedules and gradient clipping.

mod adam;
mod clip;
mod optimizer;
mod rmsprop;
mod schedule;
mod sgd;
mod two_pass;

pub use adam::Adam;
pub use clip::{ClipNormError, check_clip_norm, clip_global_norm, global_norm};
pub use optimizer::Optimizer;
pub use rmsprop::RmsProp;
pub use schedule::{Constant, Cosine, Schedule, StepDecay};
pub use sgd::Sgd;
