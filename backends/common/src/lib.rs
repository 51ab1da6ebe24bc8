//! The data layer and API behaviour that every Rust backend shares.
//!
//! A backend crate contains routing glue only: it maps each path of [`api::paths`] to the
//! handler in [`api`], turns the [`Reply`] into its framework's response, and calls [`boot`] for
//! configuration, database and shutdown. Everything a client can observe (status codes, headers,
//! body bytes, validation order, 503 on database loss) is decided here, once.

pub mod api;
pub mod boot;
pub mod config;
pub mod db;
pub mod error;
pub mod input;
pub mod reply;

pub use config::Config;
pub use db::{Db, Note};
pub use error::ApiError;
pub use input::{Body, MAX_BODY_BYTES};
pub use reply::Reply;
