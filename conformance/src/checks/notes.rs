//! `/notes/` behaviour against the database: the newest-100 list, one row per POST, literal
//! storage of awkward strings, and 500 concurrent POSTs.

use std::collections::{BTreeSet, HashMap};

use super::{note_body, passed, post_accepted, response_id};
use crate::client::Request;
use crate::db::{canonical, tricky_rows};
use crate::expect::{self, JSON};
use crate::outcome::{Outcome, fail};
use crate::target::Target;

/// Rows added before comparing the list, so that more than 100 exist whatever was there.
const SEED_ROWS: usize = 150;
/// Simultaneous POSTs of the concurrency check.
pub const CONCURRENT_POSTS: usize = 500;

/// With more than 100 rows, `GET /notes/` is exactly the newest 100, newest first, in the
/// canonical bytes.
pub(super) async fn list_newest_100(target: &Target) -> Outcome {
    target.db.insert(&tricky_rows(SEED_ROWS)).await?;
    let rows = target.db.count().await?;
    let expected = target.db.newest().await?;
    let request = Request::get("/notes/");
    let response = target.client.send(&request).await?;
    expect::exact(
        &request.label(),
        &response,
        200,
        JSON,
        &canonical(&expected),
    )?;
    let (newest, oldest) = (
        expected.first().map_or(0, |note| note.id),
        expected.last().map_or(0, |note| note.id),
    );
    passed(format!(
        "GET /notes/ with {rows} rows: body byte for byte the {} newest (ids {newest} down to \
         {oldest}), rows holding quotes, backslashes, control characters, U+2028 and emoji",
        expected.len()
    ))
}

/// The workload's POST creates exactly one row and answers it.
pub(super) async fn create_inserts_one_row(target: &Target) -> Outcome {
    let (title, content) = ("Sample Note", "This is a note content.");
    let request = Request::post_json("/notes/", note_body(title, content));
    let note = post_accepted(target, &request.label(), &request, title, content).await?;
    passed(format!(
        "POST /notes/: 201, application/json, body byte for byte row {} as stored, row count +1",
        note.id
    ))
}

/// Unicode and SQL-looking strings are stored and returned literally.
pub(super) async fn literal_storage(target: &Target) -> Outcome {
    let cases = [
        ("Robert'); DROP TABLE note;--", "' OR '1'='1"),
        (
            "日本語 𝄞 Ünïcödé 😀",
            "<script>alert(1)</script> \\x00 %s $1 {}",
        ),
        (
            "\"quoted\" \\ backslash",
            "tab\tnewline\nreturn\r U+2028\u{2028} DEL\u{7f}",
        ),
    ];
    for (title, content) in cases {
        let request = Request::post_json("/notes/", note_body(title, content));
        post_accepted(target, &request.label(), &request, title, content).await?;
    }
    let request = Request::get("/notes/");
    let response = target.client.send(&request).await?;
    expect::exact(
        &request.label(),
        &response,
        200,
        JSON,
        &canonical(&target.db.newest().await?),
    )?;
    passed(format!(
        "{} POSTs of SQL-looking, non-ASCII and escape-heavy strings: stored exactly, answered \
         and listed byte for byte (UTF-8, not \\u escapes), table intact",
        cases.len()
    ))
}

/// 500 POSTs at once: all 201, exactly 500 new rows, unique ids matching the rows.
pub(super) async fn concurrent_posts(target: &Target) -> Outcome {
    let before = target.db.count().await?;
    let max_before = target.db.max_id().await?;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CONCURRENT_POSTS {
        let client = target.client.clone();
        tasks.spawn(async move {
            let request = Request::post_json("/notes/", note_body(&format!("concurrent {i}"), "c"));
            (i, client.send(&request).await)
        });
    }
    let mut ids: HashMap<i64, usize> = HashMap::new();
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.map_err(|err| fail(format!("request task failed: {err}")))?;
        match result {
            Ok(response) if response.status == 201 => {
                let id = response_id(&format!("POST #{i}"), &response)?;
                if let Some(other) = ids.insert(id, i) {
                    return Err(fail(format!(
                        "POST #{i} and POST #{other} both got id {id}"
                    )));
                }
            }
            Ok(response) => failures.push(format!("#{i}: {}", response.summary())),
            Err(err) => failures.push(format!("#{i}: {err}")),
        }
    }
    if let Some(first) = failures.first() {
        return Err(fail(format!(
            "{} of {CONCURRENT_POSTS} POSTs not 201; first: {first}",
            failures.len()
        )));
    }
    let after = target.db.count().await?;
    if after != before + CONCURRENT_POSTS as i64 {
        return Err(fail(format!(
            "row count went from {before} to {after}, expected +{CONCURRENT_POSTS}"
        )));
    }
    let stored = target.db.notes_after(max_before).await?;
    let stored_ids: BTreeSet<i64> = stored.iter().map(|note| note.id).collect();
    let answered_ids: BTreeSet<i64> = ids.keys().copied().collect();
    if stored_ids != answered_ids {
        return Err(fail(format!(
            "the {} ids answered are not the {} ids of the new rows",
            answered_ids.len(),
            stored_ids.len()
        )));
    }
    if let Some(note) = stored
        .iter()
        .find(|note| note.title != format!("concurrent {}", ids[&note.id]))
    {
        return Err(fail(format!(
            "row {} holds title {:?} but was answered to POST #{}",
            note.id, note.title, ids[&note.id]
        )));
    }
    passed(format!(
        "{CONCURRENT_POSTS} simultaneous POST /notes/ (one connection each): all 201, row count \
         +{CONCURRENT_POSTS}, ids unique and each answered id is the row with that POST's title"
    ))
}
