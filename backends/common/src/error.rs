//! The one API error type: every failure a client can see, with its status code and JSON body.
//!
//! Messages are one line and safe to show. Database details never reach the client: they are
//! logged where the error is created ([`ApiError::from_database`]).

use serde::Serialize;

/// A request that cannot be answered with success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    #[error("request body is larger than 65536 bytes")]
    PayloadTooLarge,
    #[error("{0}")]
    BadJson(String),
    #[error("{0}")]
    Unprocessable(&'static str),
    #[error("not found")]
    NotFound,
    /// A known path with a method it does not serve; `allow` is the `Allow` header value.
    #[error("method not allowed")]
    MethodNotAllowed { allow: &'static str },
    #[error("database unavailable")]
    DatabaseUnavailable,
    #[error("internal server error")]
    Internal,
}

impl ApiError {
    /// A 422 for JSON of the wrong shape.
    pub fn invalid(message: &'static str) -> Self {
        Self::Unprocessable(message)
    }

    /// Classifies a database error and logs its detail (which never reaches the client).
    pub fn from_database(err: sqlx::Error) -> Self {
        let classified = Self::classify_database(&err);
        if classified == Self::DatabaseUnavailable {
            tracing::warn!(error = %err, "database unavailable");
        } else {
            tracing::error!(error = %err, "database error");
        }
        classified
    }

    /// Lost or refused connections and an exhausted pool are 503 (the backend recovers when the
    /// database does); any other database error is a bug or a schema problem: 500.
    pub fn classify_database(err: &sqlx::Error) -> Self {
        let unavailable = match err {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => {
                db.code().is_some_and(|code| is_unavailable_sqlstate(&code))
            }
            _ => false,
        };
        if unavailable {
            Self::DatabaseUnavailable
        } else {
            Self::Internal
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::UnsupportedMediaType => 415,
            Self::PayloadTooLarge => 413,
            Self::BadJson(_) => 400,
            Self::Unprocessable(_) => 422,
            Self::NotFound => 404,
            Self::MethodNotAllowed { .. } => 405,
            Self::DatabaseUnavailable => 503,
            Self::Internal => 500,
        }
    }

    /// The `Allow` header value, for 405 only.
    pub fn allow(&self) -> Option<&'static str> {
        match self {
            Self::MethodNotAllowed { allow } => Some(allow),
            _ => None,
        }
    }

    /// The response body: `{"error":"<message>"}`.
    pub fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            error: &'a str,
        }
        let message = self.to_string();
        crate::reply::json_bytes(&Body { error: &message })
    }
}

/// SQLSTATEs that mean "the database is not there right now": connection exceptions (class 08),
/// the server shutting down or starting (57P01-57P03), too many connections (53300).
fn is_unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_compact_one_line_json() {
        assert_eq!(
            ApiError::DatabaseUnavailable.body(),
            br#"{"error":"database unavailable"}"#
        );
        let err = ApiError::BadJson("body is not valid JSON: \"quoted\"\nline".into());
        let body: serde_json::Value = serde_json::from_slice(&err.body()).unwrap();
        assert_eq!(body["error"], "body is not valid JSON: \"quoted\"\nline");
    }

    #[test]
    fn statuses_match_the_spec() {
        let cases = [
            (ApiError::UnsupportedMediaType, 415),
            (ApiError::PayloadTooLarge, 413),
            (ApiError::BadJson(String::new()), 400),
            (ApiError::invalid("x"), 422),
            (ApiError::NotFound, 404),
            (ApiError::MethodNotAllowed { allow: "GET" }, 405),
            (ApiError::DatabaseUnavailable, 503),
            (ApiError::Internal, 500),
        ];
        for (err, status) in cases {
            assert_eq!(err.status(), status, "{err:?}");
        }
        assert_eq!(
            ApiError::MethodNotAllowed { allow: "GET, POST" }.allow(),
            Some("GET, POST")
        );
        assert_eq!(ApiError::NotFound.allow(), None);
    }

    #[test]
    fn lost_connections_are_503_and_other_database_errors_500() {
        assert_eq!(
            ApiError::from_database(sqlx::Error::PoolTimedOut),
            ApiError::DatabaseUnavailable
        );
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(
            ApiError::from_database(sqlx::Error::Io(io)),
            ApiError::DatabaseUnavailable
        );
        assert_eq!(
            ApiError::from_database(sqlx::Error::RowNotFound),
            ApiError::Internal
        );
        assert!(is_unavailable_sqlstate("08006"));
        assert!(is_unavailable_sqlstate("57P01"));
        assert!(!is_unavailable_sqlstate("23505"));
    }
}
