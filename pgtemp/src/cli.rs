//! What the `pgtemp` subcommands do (see the crate docs); `main.rs` only parses arguments.

use std::path::Path;

use crate::cluster::create_empty_dir;
use crate::state::State;
use crate::{Cluster, Error};

/// `pgtemp start`: starts a cluster in `dir` and leaves it running, or, when `external_url` is
/// given, records that URL in `dir` instead. Returns the URL to print.
pub fn start(dir: &Path, external_url: Option<String>) -> Result<String, Error> {
    match external_url.filter(|url| !url.trim().is_empty()) {
        Some(url) => {
            create_empty_dir(dir)?;
            State::External { url: url.clone() }.write(dir)?;
            Ok(url)
        }
        None => {
            let cluster = Cluster::start_in(dir)?;
            let url = cluster.url();
            cluster.detach();
            Ok(url)
        }
    }
}

/// `pgtemp url`: the URL recorded in `dir`.
pub fn url(dir: &Path) -> Result<String, Error> {
    match State::read(dir)? {
        State::External { url } => Ok(url),
        State::Private { .. } => Ok(Cluster::open(dir)?.url()),
    }
}

/// `pgtemp stop-server`: stops the server in `dir`, keeping its data.
pub fn stop_server(dir: &Path) -> Result<(), Error> {
    Cluster::open(dir)?.stop_server()
}

/// `pgtemp start-server`: starts the server in `dir` again on its port.
pub fn start_server(dir: &Path) -> Result<(), Error> {
    Cluster::open(dir)?.start_server()
}

/// `pgtemp stop`: stops whatever runs in `dir` and deletes `dir`.
pub fn stop(dir: &Path) -> Result<(), Error> {
    match State::read(dir)? {
        State::External { .. } => {
            std::fs::remove_dir_all(dir).map_err(|err| Error::io("removing", dir, err))
        }
        State::Private { .. } => Cluster::open(dir)?.remove(),
    }
}
