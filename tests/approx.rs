//! approx tests (stub)
