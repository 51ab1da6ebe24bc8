//! Integration tests of `plot`, one binary: the library on real files in temporary folders, and
//! the `plot` executable for exit codes and one-line errors.

mod cli;
mod common;
mod compare;
mod errors;
mod locust;
mod readme;
mod run_graph;
