//! Shared support for integration tests: fakes of the outside world.
//!
//! Each test binary uses only part of it, so unused items are allowed here.

#![allow(dead_code, unused_imports)]

pub mod app;
pub mod cli;
pub mod fake_bot_api;
pub mod serve;
pub mod service;
