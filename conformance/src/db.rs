//! The checks' own connection to the backend's database: row counts, seeding and the expected
//! newest-100 list, read directly rather than through the API under test.

use std::time::Duration;

use serde::Serialize;
use sqlx::Connection;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};

/// A row of `note`; serialises to the canonical bytes of SPEC section 1 (compact, keys in the
/// order `id`, `title`, `content`, non-ASCII as UTF-8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Note {
    pub id: i64,
    pub title: String,
    pub content: String,
}

/// The canonical JSON bytes of `value` (what every backend must send).
pub fn canonical<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|err| format!("unserialisable: {err}").into_bytes())
}

/// Direct access to the `note` table.
#[derive(Debug, Clone)]
pub struct Db {
    pool: PgPool,
}

impl Db {
    /// Connects to `url` (a few connections; every wait bounded).
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        // One direct connection first: a pool only reports "timed out", this says why.
        let probe = tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(url))
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)??;
        probe.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }

    pub async fn count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT count(*) FROM note")
            .fetch_one(&self.pool)
            .await
    }

    /// What `GET /notes/` must return: the newest 100, newest first.
    pub async fn newest(&self) -> Result<Vec<Note>, sqlx::Error> {
        sqlx::query_as("SELECT id, title, content FROM note ORDER BY id DESC LIMIT 100")
            .fetch_all(&self.pool)
            .await
    }

    pub async fn note(&self, id: i64) -> Result<Option<Note>, sqlx::Error> {
        sqlx::query_as("SELECT id, title, content FROM note WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Notes with an id above `id`, oldest first.
    pub async fn notes_after(&self, id: i64) -> Result<Vec<Note>, sqlx::Error> {
        sqlx::query_as("SELECT id, title, content FROM note WHERE id > $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await
    }

    pub async fn max_id(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT coalesce(max(id), 0)::bigint FROM note")
            .fetch_one(&self.pool)
            .await
    }

    /// Inserts `rows` (title, content) in order, in one statement.
    pub async fn insert(&self, rows: &[(String, String)]) -> Result<(), sqlx::Error> {
        let (titles, contents): (Vec<&str>, Vec<&str>) = rows
            .iter()
            .map(|(title, content)| (title.as_str(), content.as_str()))
            .unzip();
        sqlx::query(
            "INSERT INTO note (title, content) \
             SELECT t, c FROM UNNEST($1::varchar[], $2::text[]) WITH ORDINALITY AS r(t, c, n) \
             ORDER BY n",
        )
        .bind(titles)
        .bind(contents)
        .execute(&self.pool)
        .await
        .map(drop)
    }

    /// Empties the table and restarts its ids at 1 (the suite only: every backend then has the
    /// same state for the cross-backend comparison).
    pub async fn reset(&self) -> Result<(), sqlx::Error> {
        sqlx::query("TRUNCATE note RESTART IDENTITY")
            .execute(&self.pool)
            .await
            .map(drop)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `count` rows whose text exercises JSON escaping and UTF-8: quotes, backslashes, control
/// characters, `</`, U+2028, accents, emoji, SQL-looking text. Deterministic, so every backend
/// can be given the same rows.
pub fn tricky_rows(count: usize) -> Vec<(String, String)> {
    (0..count)
        .map(|i| {
            (
                format!("note {i} ü😀 \"q\" \\ </x>"),
                format!(
                    "line one\nline two\ttab \u{1}\u{1f}\u{7f} \u{2028} é'); DROP TABLE note;-- {i}"
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_is_compact_ordered_and_utf8() {
        let note = Note {
            id: 7,
            title: "ü\"".into(),
            content: "a\nb".into(),
        };
        assert_eq!(
            canonical(&note),
            "{\"id\":7,\"title\":\"ü\\\"\",\"content\":\"a\\nb\"}".as_bytes()
        );
    }
}
