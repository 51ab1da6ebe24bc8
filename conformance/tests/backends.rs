//! Every backend folder (`backends/*/backend.toml`) built, started against its own throwaway
//! PostgreSQL and checked. The suite runs once per test binary (the first test to ask runs it;
//! the others wait for the report); each test then asserts one check kind for every backend, so
//! a failure names the check, the backend and the reason, and a new backend needs no new test.
//!
//! The whole report is written to `target/tmp/conformance-report.txt` and to stderr; build and
//! server logs to `target/tmp/conformance-logs/`.

use std::sync::OnceLock;

use conformance::backend::repo_root;
use conformance::checks::Check;
use conformance::suite::{self, Report};
use conformance::{compare, shutdown};

fn report() -> &'static Result<Report, String> {
    static REPORT: OnceLock<Result<Report, String>> = OnceLock::new();
    REPORT.get_or_init(|| {
        // Build and server logs stay after the run, for reading when a check fails.
        let work_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-logs");
        let _ = std::fs::remove_dir_all(&work_dir);
        std::fs::create_dir_all(&work_dir)
            .map_err(|err| format!("cannot create {}: {err}", work_dir.display()))?;
        let runtime = tokio::runtime::Runtime::new()
            .map_err(|err| format!("cannot start the async runtime: {err}"))?;
        let report = runtime.block_on(suite::run(&repo_root(), &work_dir));
        if let Ok(report) = &report {
            let text = report.render();
            eprintln!("{text}");
            let path =
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-report.txt");
            let _ = std::fs::write(path, text);
        }
        report
    })
}

fn assert_check(check: &str) {
    let report = report()
        .as_ref()
        .unwrap_or_else(|err| panic!("the suite could not run: {err}"));
    let failures = report.failures(check);
    assert!(
        failures.is_empty(),
        "{check} failed on {} of {} backends:\n  {}",
        failures.len(),
        report.backends.len(),
        failures.join("\n  ")
    );
}

macro_rules! check_tests {
    ($($test:ident => $check:expr,)*) => {
        $(
            #[test]
            fn $test() {
                assert_check($check);
            }
        )*

        #[test]
        fn every_check_kind_has_a_test() {
            let tested = [$($check),*];
            for name in suite::check_names() {
                assert!(tested.contains(&name), "check {name} has no test in tests/backends.rs");
            }
        }
    };
}

check_tests! {
    build_and_start => suite::SETUP_CHECK,
    text_endpoints => Check::TextEndpoints.name(),
    health => Check::Health.name(),
    trailing_slash_variants => Check::TrailingSlash.name(),
    unknown_path_is_404_json => Check::NotFound.name(),
    wrong_method_is_405_json_with_allow => Check::MethodNotAllowed.name(),
    list_is_newest_100_descending => Check::ListNewest100.name(),
    post_inserts_exactly_one_row => Check::CreateInsertsOneRow.name(),
    edge_inputs_are_accepted_and_stored_exactly => Check::AcceptedInputs.name(),
    unicode_and_sql_strings_are_stored_literally => Check::LiteralStorage.name(),
    non_json_content_type_is_415 => Check::Reject415.name(),
    body_over_64_kib_is_413 => Check::Reject413.name(),
    invalid_json_is_400 => Check::Reject400.name(),
    wrong_shape_is_422 => Check::Reject422.name(),
    concurrent_posts_all_stored => Check::ConcurrentPosts.name(),
    database_loss_gives_503_and_recovers => Check::DatabaseLoss.name(),
    backends_answer_byte_for_byte_alike => compare::CHECK_NAME,
    sigterm_finishes_in_flight_requests_and_exits_0 => shutdown::CHECK_NAME,
}

#[test]
fn at_least_one_backend_was_found() {
    let report = report()
        .as_ref()
        .unwrap_or_else(|err| panic!("the suite could not run: {err}"));
    assert!(!report.backends.is_empty(), "no backend discovered");
}
