//! The notes API on axum: configuration, bind, serve, graceful shutdown.

use std::process::ExitCode;

use backend_common::boot;

mod routes;

fn main() -> ExitCode {
    boot::run("axum", |config, db| async move {
        let listener = match boot::bind(&config).await {
            Ok(listener) => listener,
            Err(code) => return code,
        };
        let app = routes::app(db.clone());
        boot::serve_gracefully(db, |signal| {
            axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .into_future()
        })
        .await
    })
}
