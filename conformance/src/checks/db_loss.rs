//! The database goes away while the backend runs: database endpoints answer 503 within 5 s, the
//! others keep answering, and everything works again once the database is back, no restart.

use std::time::{Duration, Instant};

use super::{note_body, passed, post_accepted};
use crate::client::Request;
use crate::expect::{self, JSON, TEXT};
use crate::outcome::{Failure, Outcome, fail};
use crate::target::Target;

/// SPEC section 1: 503 within 5 s when the database is down.
const UNAVAILABLE_WITHIN: Duration = Duration::from_secs(5);
/// How long the backend may take to notice the database is back.
const RECOVERY_LIMIT: Duration = Duration::from_secs(30);

pub(super) async fn database_loss(target: &Target) -> Outcome {
    let Some(control) = &target.db_control else {
        return Err(Failure::Skip(
            "no way to stop the database (verify: pass --db-stop-cmd and --db-start-cmd)".into(),
        ));
    };
    let request = Request::get("/notes/");
    expect::status(
        "GET /notes/ before the stop",
        &target.client.send(&request).await?,
        200,
    )?;

    control
        .stop()
        .await
        .map_err(|err| fail(format!("stopping the database: {err}")))?;
    let while_down = answers_while_down(target).await;
    // The database is started again whatever happened, so later checks find it running.
    control
        .start()
        .await
        .map_err(|err| fail(format!("starting the database again: {err}")))?;
    let slowest = while_down?;
    let recovered_after = recovery(target).await?;
    passed(format!(
        "database stopped: GET /notes/, POST /notes/, GET /health answered 503 \
         {{\"error\":\"database unavailable\"}} (slowest {} ms, limit 5000), GET / and \
         /no_db_endpoint/ 200; database started: GET /notes/ 200 after {} ms and POST stored a row, \
         same process",
        slowest.as_millis(),
        recovered_after.as_millis()
    ))
}

/// The answers while the database is down; returns the slowest 503.
async fn answers_while_down(target: &Target) -> Result<Duration, Failure> {
    let mut slowest = Duration::ZERO;
    let database_requests = [
        Request::get("/notes/"),
        Request::post_json("/notes/", note_body("while down", "c")),
        Request::get("/health"),
    ];
    for request in &database_requests {
        let label = format!("{} with the database stopped", request.label());
        let response = target
            .client
            .send_within(request, UNAVAILABLE_WITHIN)
            .await
            .map_err(|err| fail(format!("{label}: {err}")))?;
        expect::exact(&label, &response, 503, JSON, expect::DB_UNAVAILABLE)?;
        slowest = slowest.max(response.elapsed);
    }
    for (path, text) in [
        ("/", "Server is ready"),
        ("/no_db_endpoint/", "No db endpoint"),
    ] {
        let request = Request::get(path);
        let label = format!("{} with the database stopped", request.label());
        let response = target.client.send(&request).await?;
        expect::exact(&label, &response, 200, TEXT, text.as_bytes())?;
    }
    Ok(slowest)
}

/// Polls `GET /notes/` until it is 200 again, then checks that a POST stores a row.
async fn recovery(target: &Target) -> Result<Duration, Failure> {
    let started = Instant::now();
    let request = Request::get("/notes/");
    loop {
        let response = target.client.send(&request).await?;
        if response.status == 200 {
            break;
        }
        if started.elapsed() > RECOVERY_LIMIT {
            return Err(fail(format!(
                "GET /notes/ still {} after the database was back for {RECOVERY_LIMIT:?}",
                response.summary()
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered_after = started.elapsed();
    let post = Request::post_json("/notes/", note_body("after recovery", "c"));
    post_accepted(
        target,
        "POST /notes/ after recovery",
        &post,
        "after recovery",
        "c",
    )
    .await?;
    let health = target.client.send(&Request::get("/health")).await?;
    expect::exact(
        "GET /health after recovery",
        &health,
        200,
        JSON,
        br#"{"status":"ok"}"#,
    )?;
    Ok(recovered_after)
}
