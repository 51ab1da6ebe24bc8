//! loadgen: a load generator with Locust's user model (SPEC section 2) that writes Locust's CSV
//! files and our exact results (SPEC section 3, `docs/results-format.md`) at a fraction of
//! Locust's cost. `main.rs` only parses the command line and calls [`run`].
//!
//! Flow: `cli` (flags -> `Config`) -> `runner` (coordinator) -> `worker` threads running users
//! over the `http` client, recording into `stats`; the coordinator merges snapshots and writes
//! `locust_csv`, `timeseries`, `summary` through `files`, and talks to people via `console`.

pub mod cli;
pub mod console;
pub mod duration;
pub mod error;
pub mod failure;
pub mod files;
pub mod http;
pub mod interrupt;
pub mod limits;
pub mod locust;
pub mod locust_csv;
pub mod monitor;
pub mod pyfmt;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod summary;
pub mod timeseries;
pub mod worker;

pub use cli::{Cli, Config};
pub use error::Error;
pub use runner::{RunOutcome, run, run_until_stopped};
