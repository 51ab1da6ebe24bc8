//! The conformance checks every backend must pass before it is measured (SPEC section 1), in one
//! place, usable two ways:
//!
//! - `verify --host URL --database-url URL` checks any running backend, in any language
//!   (see `src/bin/verify.rs`);
//! - `cargo test -p conformance` builds and starts every `backends/*/backend.toml` against its
//!   own throwaway PostgreSQL ([`suite`]) and also checks the Docker side statically
//!   ([`docker`]).
//!
//! [`checks`] holds the HTTP and database checks, [`shutdown`] the SIGTERM check and
//! [`compare`] the cross-backend byte comparison; both of those need the suite, which owns the
//! processes.

pub mod backend;
pub mod checks;
pub mod client;
pub mod compare;
pub mod db;
pub mod docker;
pub mod expect;
pub mod outcome;
pub mod runner;
pub mod shutdown;
pub mod suite;
pub mod target;
