//! The open-file limit: every user holds a socket, so 5000 users need more descriptors than the
//! usual soft limit of 1024. Raised before the run starts, with a clear error when impossible.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Descriptors beyond one per user: runtime, listeners of the tests, output files, stdio.
const SPARE: u64 = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "open-file limit too low: {users} users need {needed} descriptors but the hard limit is {hard} \
     and raising it failed ({reason}); raise it with `ulimit -n {needed}` or use fewer users"
)]
pub struct LimitError {
    users: u64,
    needed: u64,
    hard: u64,
    reason: String,
}

/// Makes sure the soft limit of open files covers `users` connections; returns the new limit.
pub fn ensure_open_files(users: u64) -> Result<u64, LimitError> {
    let needed = users + SPARE;
    let Rlimit { current, maximum } = getrlimit(Resource::Nofile);
    let (soft, hard) = (current.unwrap_or(u64::MAX), maximum.unwrap_or(u64::MAX));
    if soft >= needed {
        return Ok(soft);
    }
    // Within the hard limit, take all of it (spares a second raise for larger runs); above it,
    // raise both, which root may do.
    let (current, maximum) = if hard >= needed {
        (hard.min(1 << 20).max(needed), maximum)
    } else {
        (needed, Some(needed))
    };
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(current),
            maximum,
        },
    )
    .map(|()| current)
    .map_err(|e| LimitError {
        users,
        needed,
        hard,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_covers_the_users_afterwards() {
        let limit = ensure_open_files(3000).unwrap();
        assert!(limit >= 3000 + SPARE);
        assert!(getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX) >= 3000 + SPARE);
    }
}
