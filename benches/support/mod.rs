//! Helpers shared by the benchmarks.

pub mod corpus;
pub mod synthetic;
