//! Readers for every file `plot` accepts: loadgen's exact results, resource samples, and plain
//! Locust CSV. Each reader returns the shared model of [`crate::run`].

pub(crate) mod locust;
pub(crate) mod resources;
pub(crate) mod summary;
mod table;
pub(crate) mod timeseries;
