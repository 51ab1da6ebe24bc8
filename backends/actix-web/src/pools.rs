//! Each actix worker's share of the `DB_POOL_SIZE` database connections.
//!
//! actix-web runs every worker on a single-threaded runtime of its own, and a sqlx connection's
//! I/O stays registered with the runtime that opened it: with one pool shared by all workers, a
//! query of one worker waits on another worker's event loop. So every worker gets a pool of its
//! own, created by the app factory on that worker's runtime, and the pool sizes add up to
//! `DB_POOL_SIZE` (the first `DB_POOL_SIZE % WORKERS` workers get one connection more).
//!
//! With fewer connections than workers, the total still holds: there are `DB_POOL_SIZE` pools of
//! one connection, and worker `i` uses pool `i % DB_POOL_SIZE`, so some workers share one.
//!
//! actix restarts a worker whose thread panicked; the new worker takes the next slot's pool,
//! whose connections were opened on a runtime that is gone: each fails once (503) and is replaced.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use backend_common::{Config, Db};

/// Hands out one pool per worker; cloned into the app factory.
#[derive(Clone)]
pub struct WorkerPools {
    config: Arc<Config>,
    slots: Arc<[Slot]>,
    next_worker: Arc<AtomicUsize>,
}

struct Slot {
    size: u32,
    db: OnceLock<Db>,
}

impl WorkerPools {
    /// `DB_POOL_SIZE` connections in total for `WORKERS` workers.
    pub fn new(config: &Config) -> Self {
        let slots = shares(config.pool_size, config.workers)
            .into_iter()
            .map(|size| Slot {
                size,
                db: OnceLock::new(),
            })
            .collect();
        Self {
            config: Arc::new(config.clone()),
            slots,
            next_worker: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The size of each pool, in the order the workers take them.
    pub fn sizes(&self) -> Vec<u32> {
        self.slots.iter().map(|slot| slot.size).collect()
    }

    /// The pool of the next worker. actix calls the app factory once per worker, on that
    /// worker's runtime, so the pool's connections are opened there.
    pub fn next(&self) -> Db {
        let worker = self.next_worker.fetch_add(1, Ordering::Relaxed);
        let slot = &self.slots[worker % self.slots.len()];
        slot.db
            .get_or_init(|| Db::lazy(self.config.database.clone(), slot.size))
            .clone()
    }
}

/// Splits `total` connections into `min(total, workers)` pools whose sizes differ by at most one.
fn shares(total: u32, workers: usize) -> Vec<u32> {
    let pools = u32::try_from(workers)
        .unwrap_or(u32::MAX)
        .clamp(1, total.max(1));
    let (each, extra) = (total / pools, total % pools);
    (0..pools).map(|i| each + u32::from(i < extra)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_to_the_pool_size_and_differ_by_at_most_one() {
        assert_eq!(shares(20, 1), [20]);
        assert_eq!(shares(20, 2), [10, 10]);
        assert_eq!(shares(20, 3), [7, 7, 6]);
        assert_eq!(shares(4, 4), [1, 1, 1, 1]);
        for total in 1..=40 {
            for workers in 1..=45 {
                let sizes = shares(total, workers);
                assert_eq!(sizes.iter().sum::<u32>(), total, "{total} over {workers}");
                assert_eq!(sizes.len(), workers.min(total as usize));
                let (min, max) = (sizes.iter().min(), sizes.iter().max());
                assert!(max.zip(min).is_some_and(|(max, min)| max - min <= 1));
            }
        }
    }

    #[test]
    fn fewer_connections_than_workers_gives_single_connection_pools() {
        assert_eq!(shares(2, 5), [1, 1]);
    }
}
