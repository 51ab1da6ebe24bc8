//! Routing glue: each path of the API to its shared handler, and [`Reply`] to a Rocket response.
//!
//! Rocket differs from the reference (axum) in four ways this module evens out:
//! - it has no 405: every path also gets a route for each method it does not serve (HEAD is left
//!   to Rocket, which answers it with the GET route minus the body, as axum does);
//! - its matcher ignores empty segments and decodes percent-escapes (`//notes`, `/%6eotes`), so
//!   each route also checks the raw path is one of its exact spellings and forwards to the 404
//!   catcher otherwise;
//! - it answers unknown methods (`FOO /notes/`) with its own 400 before routing, which the
//!   catcher turns into the 405 or 404 axum would give;
//! - it routes a POST whose form body starts with `_method=put` as a PUT (HTML form method
//!   override), which [`NoMethodOverride`] undoes: such a POST must get the 415 of SPEC order.

use std::io::Cursor;

use backend_common::api::{self, ALLOW_GET, ALLOW_NOTES, paths};
use backend_common::{ApiError, Body, Db, MAX_BODY_BYTES, Reply};
use rocket::data::ByteUnit;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::form::Form;
use rocket::http::{Method, Status};
use rocket::response::{self, Responder};
use rocket::route::{self, Handler};
use rocket::shield::Shield;
use rocket::{Build, Data, Request, Response, Rocket, Route, catch, catchers};

/// The whole API on `config`; a function so tests can launch it on a free port.
pub fn app(config: rocket::Config, db: Db) -> Rocket<Build> {
    rocket::custom(config)
        // An empty Shield replaces the default one: no security headers axum does not send.
        .attach(Shield::new())
        .attach(NoMethodOverride)
        .manage(db)
        .mount("/", routes())
        .register("/", catchers![catch_all])
}

/// One path of the API: how it may be spelled, what it serves, and its `Allow` header.
struct Resource {
    spellings: [&'static str; 2],
    allow: &'static str,
    serves: &'static [(Method, Action)],
}

const RESOURCES: [Resource; 5] = [
    Resource {
        spellings: [paths::ROOT, paths::ROOT],
        allow: ALLOW_GET,
        serves: &[(Method::Get, Action::Root)],
    },
    Resource {
        spellings: [paths::HEALTH, paths::HEALTH],
        allow: ALLOW_GET,
        serves: &[(Method::Get, Action::Health)],
    },
    Resource {
        spellings: with_and_without_slash(paths::NOTES),
        allow: ALLOW_NOTES,
        serves: &[
            (Method::Get, Action::ListNotes),
            (Method::Post, Action::CreateNote),
        ],
    },
    Resource {
        spellings: with_and_without_slash(paths::NO_DB),
        allow: ALLOW_GET,
        serves: &[(Method::Get, Action::NoDb)],
    },
    Resource {
        spellings: with_and_without_slash(paths::NO_DB2),
        allow: ALLOW_GET,
        serves: &[(Method::Get, Action::NoDb2)],
    },
];

/// Every method Rocket can route except HEAD (see the module docs).
const ROUTED_METHODS: [Method; 8] = [
    Method::Get,
    Method::Post,
    Method::Put,
    Method::Delete,
    Method::Patch,
    Method::Options,
    Method::Trace,
    Method::Connect,
];

const fn with_and_without_slash(path: &'static str) -> [&'static str; 2] {
    match path.as_bytes() {
        [.., b'/'] => [path, path.split_at(path.len() - 1).0],
        _ => [path, path],
    }
}

impl Resource {
    fn is_spelled(&self, path: &str) -> bool {
        self.spellings.contains(&path)
    }
}

fn routes() -> Vec<Route> {
    let mut routes = Vec::new();
    for resource in &RESOURCES {
        for method in ROUTED_METHODS {
            let action = resource
                .serves
                .iter()
                .find(|(served, _)| *served == method)
                .map_or(Action::NotAllowed(resource.allow), |&(_, action)| action);
            let endpoint = Endpoint {
                spellings: resource.spellings,
                action,
            };
            routes.push(Route::new(method, resource.spellings[0], endpoint));
        }
    }
    routes
}

/// Which shared handler a route calls.
#[derive(Debug, Clone, Copy)]
enum Action {
    Root,
    Health,
    ListNotes,
    CreateNote,
    NoDb,
    NoDb2,
    NotAllowed(&'static str),
}

/// A route's handler: the action, taken only when the raw path is spelled exactly.
#[derive(Clone)]
struct Endpoint {
    spellings: [&'static str; 2],
    action: Action,
}

#[rocket::async_trait]
impl Handler for Endpoint {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        if !self.spellings.contains(&req.uri().path().as_str()) {
            return route::Outcome::forward(data, Status::NotFound);
        }
        let reply = match self.action {
            Action::Root => api::root(),
            Action::NoDb => api::no_db(),
            Action::NoDb2 => api::no_db2(),
            Action::NotAllowed(allow) => api::method_not_allowed(allow),
            Action::Health | Action::ListNotes | Action::CreateNote => {
                // `app` always manages the Db; without it the 500 catcher answers.
                let Some(db) = req.rocket().state::<Db>() else {
                    return route::Outcome::error(Status::InternalServerError);
                };
                match self.action {
                    Action::Health => api::health(db).await,
                    Action::ListNotes => api::list_notes(db).await,
                    _ => create_note(db, req, data).await,
                }
            }
        };
        route::Outcome::from(req, Answer(reply))
    }
}

async fn create_note(db: &Db, req: &Request<'_>, data: Data<'_>) -> Reply {
    // The raw header (not Rocket's parsed ContentType): common decides what counts as JSON.
    let content_type = req.headers().get_one("Content-Type").map(str::as_bytes);
    // Read one byte past the limit, so "exactly at the limit" and "over it" differ. Rocket's
    // configured data limits only apply to its data guards, never to a raw `Data::open`.
    let read = data
        .open(ByteUnit::from(MAX_BODY_BYTES + 1))
        .into_bytes()
        .await;
    let body = match &read {
        Ok(bytes) => Body::from_bytes(bytes),
        Err(_) => Body::Unreadable,
    };
    api::create_note(db, content_type, body).await
}

/// Undoes Rocket's form method override before routing. Rocket changes the method of a POST
/// with a form content type whose first field is `_method=<method>`; the request then still has
/// that form and field, and (a genuine non-POST request with that very body aside) only such a
/// rewritten request does. The check costs two comparisons for requests without a form body.
struct NoMethodOverride;

/// Rocket peeks at most `_method=delete` bytes to find the override; so does this.
const METHOD_FIELD_MAX: usize = "_method=delete".len();

#[rocket::async_trait]
impl Fairing for NoMethodOverride {
    fn info(&self) -> Info {
        Info {
            name: "no _method override",
            kind: Kind::Request,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, data: &mut Data<'_>) {
        if req.method() == Method::Post || !req.content_type().is_some_and(|ct| ct.is_form()) {
            return;
        }
        let method = req.method();
        let overridden = std::str::from_utf8(data.peek(METHOD_FIELD_MAX).await)
            .ok()
            .and_then(|form| Form::values(form).next())
            .is_some_and(|field| field.name == "_method" && field.value.parse() == Ok(method));
        if overridden {
            req.set_method(Method::Post);
        }
    }
}

/// Every status Rocket produces itself, as common's JSON error.
#[catch(default)]
fn catch_all(status: Status, req: &Request<'_>) -> Answer {
    let reply = match status.code {
        404 => api::not_found(),
        // Rocket's own 400s, for requests it cannot represent: an unknown method (`FOO /notes/`;
        // Rocket keeps the path and calls it GET), or a target that is not a path
        // (`CONNECT host:443`; Rocket keeps the method and calls the path `/`). axum answers
        // the first with 405 on a known path, else 404, and the second with 404.
        400 if req.method() == Method::Get => {
            let path = req.uri().path().as_str();
            match RESOURCES.iter().find(|resource| resource.is_spelled(path)) {
                Some(resource) => api::method_not_allowed(resource.allow),
                None => api::not_found(),
            }
        }
        400 => api::not_found(),
        // Nothing else reaches here but a panicking handler (500): no data guards, no limits.
        _ => ApiError::Internal.into(),
    };
    Answer(reply)
}

/// A shared [`Reply`] as a Rocket response.
struct Answer(Reply);

impl<'r> Responder<'r, 'static> for Answer {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let Reply {
            status,
            content_type,
            body,
            allow,
        } = self.0;
        let mut response = Response::build();
        response
            .status(Status::new(status))
            .raw_header("Content-Type", content_type)
            .sized_body(body.len(), Cursor::new(body));
        if let Some(allow) = allow {
            response.raw_header("Allow", allow);
        }
        Ok(response.finalize())
    }
}

#[cfg(test)]
mod tests;
