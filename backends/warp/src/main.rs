//! The notes API on warp: configuration, bind, serve, graceful shutdown.

use std::process::ExitCode;

use backend_common::boot;

mod routes;

fn main() -> ExitCode {
    boot::run("warp", |config, db| async move {
        let listener = match boot::bind(&config).await {
            Ok(listener) => listener,
            Err(code) => return code,
        };
        let app = routes::app(db.clone());
        boot::serve_gracefully(db, |signal| async move {
            warp::serve(app)
                .incoming(listener)
                .graceful(signal)
                .run()
                .await;
            Ok::<(), std::convert::Infallible>(())
        })
        .await
    })
}
