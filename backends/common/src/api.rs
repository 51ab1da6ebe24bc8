//! The notes API of SPEC section 1 as framework-neutral handlers. A backend routes each path to
//! one of these functions and converts the [`Reply`]; it adds no behaviour of its own.

use crate::db::Db;
use crate::error::ApiError;
use crate::input::{Body, parse_new_note};
use crate::reply::Reply;

/// The paths of the API. Each also answers without its trailing slash (no redirect).
pub mod paths {
    pub const ROOT: &str = "/";
    pub const HEALTH: &str = "/health";
    pub const NOTES: &str = "/notes/";
    pub const NO_DB: &str = "/no_db_endpoint/";
    pub const NO_DB2: &str = "/no_db_endpoint2/";
}

/// `Allow` header of the paths that answer GET only.
pub const ALLOW_GET: &str = "GET";
/// `Allow` header of `/notes/`.
pub const ALLOW_NOTES: &str = "GET, POST";

/// `GET /`: liveness, never touches the database.
pub fn root() -> Reply {
    Reply::text("Server is ready")
}

/// `GET /no_db_endpoint/`.
pub fn no_db() -> Reply {
    Reply::text("No db endpoint")
}

/// `GET /no_db_endpoint2/`.
pub fn no_db2() -> Reply {
    Reply::text("No db endpoint2")
}

/// `GET /health`: 200 when `SELECT 1` succeeds, else 503.
pub async fn health(db: &Db) -> Reply {
    #[derive(serde::Serialize)]
    struct Status {
        status: &'static str,
    }
    db.ping()
        .await
        .map(|()| (200, Status { status: "ok" }))
        .into()
}

/// `GET /notes/`: the newest 100 notes, newest first.
pub async fn list_notes(db: &Db) -> Reply {
    db.newest_notes().await.map(|notes| (200, notes)).into()
}

/// `POST /notes/`: validates, inserts, answers 201 with the stored note.
pub async fn create_note(db: &Db, content_type: Option<&[u8]>, body: Body<'_>) -> Reply {
    let note = match parse_new_note(content_type, body) {
        Ok(note) => note,
        Err(err) => return err.into(),
    };
    db.insert_note(&note).await.map(|note| (201, note)).into()
}

/// Any path the API does not have.
pub fn not_found() -> Reply {
    ApiError::NotFound.into()
}

/// A known path asked with a method it does not serve.
pub fn method_not_allowed(allow: &'static str) -> Reply {
    ApiError::MethodNotAllowed { allow }.into()
}
