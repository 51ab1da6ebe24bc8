//! The jobs `scripts/start_tests.sh` hands to Rust: waiting for a server to be ready, resetting
//! the database before a run,
//! sampling CPU and memory of the backend, the database and loadgen, and completing a run's
//! summary.json with those figures, and checking a run's results are complete.

pub mod check;
pub mod finish;
pub mod proc;
pub mod sample;
pub mod wait;
