//! The data layer against a real PostgreSQL (a throwaway cluster, or `DATABASE_URL`).

use std::str::FromStr;

use backend_common::db::{SAMPLE_CONTENT, SAMPLE_TITLE};
use backend_common::input::NewNote;
use backend_common::{ApiError, Db};
use sqlx::postgres::PgConnectOptions;

fn db_for(url: &str, size: u32) -> Db {
    Db::lazy(PgConnectOptions::from_str(url).unwrap(), size)
}

#[tokio::test]
async fn reset_seeds_and_queries_return_the_newest_first() {
    let database = pgtemp::Database::from_env().unwrap();
    let db = db_for(&database.url(), 4);

    db.reset(150).await.unwrap();
    let notes = db.newest_notes().await.unwrap();
    assert_eq!(notes.len(), 100);
    assert_eq!(notes.first().map(|note| note.id), Some(150));
    assert_eq!(notes.last().map(|note| note.id), Some(51));
    assert!(notes.windows(2).all(|pair| pair[0].id > pair[1].id));
    assert!(
        notes
            .iter()
            .all(|note| note.title == SAMPLE_TITLE && note.content == SAMPLE_CONTENT)
    );

    let stored = db
        .insert_note(&NewNote {
            title: "é ' ; DROP TABLE note; --".into(),
            content: "😀".into(),
        })
        .await
        .unwrap();
    assert_eq!(stored.id, 151);
    assert_eq!(db.newest_notes().await.unwrap()[0], stored);

    db.reset(100).await.unwrap();
    let notes = db.newest_notes().await.unwrap();
    assert_eq!((notes.len(), notes[0].id), (100, 100));
    db.ping().await.unwrap();
}

#[tokio::test]
async fn schema_creation_is_safe_when_many_start_at_once() {
    let database = pgtemp::Database::from_url_or_start(None).unwrap();
    let url = database.url();
    let starts = (0..8).map(|_| {
        let db = db_for(&url, 2);
        tokio::spawn(async move { db.prepare().await })
    });
    for start in starts {
        start.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn an_unreachable_database_is_503_not_500() {
    let database = pgtemp::Database::from_url_or_start(None).unwrap();
    let cluster = database.cluster().unwrap();
    let db = db_for(&database.url(), 2);
    db.prepare().await.unwrap();
    cluster.stop_server().unwrap();
    assert_eq!(db.ping().await, Err(ApiError::DatabaseUnavailable));
    assert_eq!(db.newest_notes().await, Err(ApiError::DatabaseUnavailable));
    cluster.start_server().unwrap();
    // A connection broken by the restart may fail once; then the pool replaces it.
    let mut recovered = false;
    for _ in 0..5 {
        if db.newest_notes().await.is_ok() {
            recovered = true;
            break;
        }
    }
    assert!(
        recovered,
        "the pool did not recover after the database came back"
    );
}
