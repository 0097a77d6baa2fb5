//! sellerguard: scam triage for cross-border e-commerce sellers.
//!
//! The module map and the allowed dependency directions are in README's
//! Architecture section; keep the two in step.

pub mod app;
pub mod classify;
pub mod cli;
pub mod config;
pub mod eval;
pub mod ocr;
pub mod store;
pub mod telegram;
pub mod triage;
pub mod web;
