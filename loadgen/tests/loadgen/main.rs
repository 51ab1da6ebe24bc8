//! Integration tests of loadgen against real HTTP servers on 127.0.0.1 (port 0): one test binary,
//! split by topic.

mod cli;
mod common;
mod csv_format;
mod runs;
