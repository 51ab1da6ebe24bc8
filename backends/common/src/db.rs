//! The database: pool, schema and the two queries. All SQL of the project's Rust backends is here.

use std::time::Duration;

use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::error::ApiError;
use crate::input::NewNote;

/// How long a request waits for a pooled connection before it is answered 503. SPEC section 1
/// promises 503 within 5 s when the database is down or the pool exhausted.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long start-up waits for the database before giving up.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Serialises concurrent schema creation by several backends (`CREATE TABLE IF NOT EXISTS` alone
/// can fail with a unique violation when two sessions race). The value is arbitrary but fixed.
const SCHEMA_LOCK_KEY: i64 = 0x6e6f_7465_735f_6462; // "notes_db"

pub const CREATE_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS note (\
    id BIGSERIAL PRIMARY KEY, \
    title VARCHAR(100) NOT NULL, \
    content TEXT NOT NULL)";
pub const SELECT_NEWEST: &str = "SELECT id, title, content FROM note ORDER BY id DESC LIMIT 100";
pub const INSERT_NOTE: &str =
    "INSERT INTO note (title, content) VALUES ($1, $2) RETURNING id, title, content";
pub const PING: &str = "SELECT 1";
/// Empties `note` before a benchmark run (ids start at 1 again).
pub const TRUNCATE: &str = "TRUNCATE note RESTART IDENTITY";
/// Inserts `$3` copies of one note in a single statement.
pub const SEED: &str =
    "INSERT INTO note (title, content) SELECT $1, $2 FROM generate_series(1, $3)";

/// What the benchmark seeds and what its `db_test` POSTs (SPEC section 2), so every `GET /notes/`
/// answer has the same size from the first request to the last.
pub const SAMPLE_TITLE: &str = "Sample Note";
pub const SAMPLE_CONTENT: &str = "This is a note content.";

/// One row of `note`; serialises as `{"id":..,"title":..,"content":..}` in that key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Note {
    pub id: i64,
    pub title: String,
    pub content: String,
}

/// A connection pool and the queries the API needs.
#[derive(Debug, Clone)]
pub struct Db {
    pool: PgPool,
}

impl Db {
    /// A pool of at most `size` connections, opened on demand. Connections are not pinged before
    /// each use (that would double the round trips we measure); one that broke while the
    /// database was away fails its query with a 503 and is replaced.
    pub fn lazy(options: PgConnectOptions, size: u32) -> Self {
        let pool = PgPoolOptions::new()
            .max_connections(size)
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            .connect_lazy_with(options);
        Self { pool }
    }

    /// Waits (up to [`STARTUP_TIMEOUT`]) until the database answers, then creates the schema.
    pub async fn prepare(&self) -> Result<(), sqlx::Error> {
        let started = tokio::time::Instant::now();
        loop {
            match self.create_schema().await {
                Ok(()) => return Ok(()),
                Err(err) if started.elapsed() < STARTUP_TIMEOUT && is_transient(&err) => {
                    tracing::info!(error = %err, "waiting for the database");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(err) => return Err(err),
            }
        }
    }

    async fn create_schema(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(SCHEMA_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        sqlx::query(CREATE_SCHEMA).execute(&mut *tx).await?;
        tx.commit().await
    }

    /// `SELECT 1`: is the database reachable right now?
    pub async fn ping(&self) -> Result<(), ApiError> {
        sqlx::query(PING)
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(ApiError::from_database)
    }

    /// The newest 100 notes, newest first.
    pub async fn newest_notes(&self) -> Result<Vec<Note>, ApiError> {
        sqlx::query_as(SELECT_NEWEST)
            .fetch_all(&self.pool)
            .await
            .map_err(ApiError::from_database)
    }

    /// Inserts one note and returns it as stored.
    pub async fn insert_note(&self, note: &NewNote) -> Result<Note, ApiError> {
        sqlx::query_as(INSERT_NOTE)
            .bind(&note.title)
            .bind(&note.content)
            .fetch_one(&self.pool)
            .await
            .map_err(ApiError::from_database)
    }

    /// The state before each benchmark run (SPEC section 2): the schema, and exactly `notes`
    /// sample notes with ids 1..=notes.
    pub async fn reset(&self, notes: i32) -> Result<(), sqlx::Error> {
        self.prepare().await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(TRUNCATE).execute(&mut *tx).await?;
        sqlx::query(SEED)
            .bind(SAMPLE_TITLE)
            .bind(SAMPLE_CONTENT)
            .bind(notes)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Closes every connection (used at shutdown so PostgreSQL sees clean disconnects).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn is_transient(err: &sqlx::Error) -> bool {
    ApiError::classify_database(err) == ApiError::DatabaseUnavailable
}
