//! `plot compare`: one picture per test type, every backend in its own colour (any number of
//! them), Locust runs marked, exact figures in the bars, deterministic bytes.

use std::path::Path;

use crate::common::{copy_tree, decode, file_names, fixtures};
use plot::{CompareOptions, backend_colours, plot_compare};

fn svg_of(results: &Path, test_type: &str) -> String {
    std::fs::read_to_string(results.join(format!("comparison_{test_type}.svg"))).unwrap()
}

#[test]
fn one_picture_per_test_type_with_every_backend() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("results"), dir.path());
    let written = plot_compare(
        dir.path(),
        &CompareOptions {
            svg: true,
            size: None,
        },
    )
    .unwrap();
    assert_eq!(
        written,
        [
            "comparison_db_test.png",
            "comparison_db_test.svg",
            "comparison_no_db_test.png",
            "comparison_no_db_test.svg"
        ]
        .map(|n| dir.path().join(n))
    );
    assert!(file_names(dir.path()).iter().all(|n| !n.ends_with(".tmp")));

    // Colours go to backends in name order: actix-web, axum, rocket, warp.
    let colours = backend_colours(4);
    let db = decode(&dir.path().join("comparison_db_test.png"));
    assert_eq!(db.width, plot::COMPARISON_WIDTH);
    for (name, colour) in ["actix-web", "axum", "rocket", "warp"].iter().zip(&colours) {
        let n = db.count(0..db.height, *colour);
        assert!(
            n > 3_000,
            "{name}'s colour {colour:?} covers only {n} pixels"
        );
    }
    let no_db = decode(&dir.path().join("comparison_no_db_test.png"));
    assert!(
        no_db.count(0..no_db.height, colours[0]) > 3_000,
        "actix-web"
    );
    assert!(no_db.count(0..no_db.height, colours[1]) > 3_000, "axum");
    assert_eq!(
        no_db.count(0..no_db.height, colours[2]),
        0,
        "rocket has no no_db_test run"
    );
    assert!(
        db.height > no_db.height,
        "four backends need more rows than two"
    );

    let svg = svg_of(dir.path(), "db_test");
    assert!(svg.contains("db_test · 4 backends compared"));
    // axum: 293.1 backend CPU-s and 162.9 db CPU-s over 791,936 requests.
    assert!(
        svg.contains("0.370 + db 0.206"),
        "CPU-seconds per 1,000 requests"
    );
    assert!(svg.contains("1,637.3"), "actix-web's mean req/s");
    assert!(svg.contains("rocket ⚠"), "the flagged run is marked");
    assert!(svg.contains("not measured"), "warp has no resource samples");
}

#[test]
fn any_number_of_backends_get_distinct_colours() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..14).map(|i| format!("backend-{i:02}")).collect();
    for name in &names {
        copy_tree(
            &fixtures().join("results/axum/db_test"),
            &dir.path().join(name).join("db_test"),
        );
    }
    let size = (1600, 2400);
    plot_compare(
        dir.path(),
        &CompareOptions {
            svg: false,
            size: Some(size),
        },
    )
    .unwrap();
    let image = decode(&dir.path().join("comparison_db_test.png"));
    assert_eq!((image.width, image.height), size);
    let colours = backend_colours(names.len());
    for (name, colour) in names.iter().zip(&colours) {
        let n = image.count(0..image.height, *colour);
        assert!(
            n > 1_000,
            "{name}'s colour {colour:?} covers only {n} pixels"
        );
    }
}

#[test]
fn locust_runs_are_compared_and_marked() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &fixtures().join("results/axum/db_test"),
        &dir.path().join("axum/db_test"),
    );
    copy_tree(
        &fixtures().join("locust_only"),
        &dir.path().join("django/db_test"),
    );
    plot_compare(
        dir.path(),
        &CompareOptions {
            svg: true,
            size: None,
        },
    )
    .unwrap();
    let svg = svg_of(dir.path(), "db_test");
    assert!(svg.contains("django (Locust)"));
    assert!(svg.contains("plain Locust CSV"));
    assert!(
        svg.contains("16 ms"),
        "Locust's rounded p50 as Locust wrote it"
    );
}

#[test]
fn same_results_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("results"), dir.path());
    plot_compare(dir.path(), &CompareOptions::default()).unwrap();
    let first = std::fs::read(dir.path().join("comparison_db_test.png")).unwrap();
    plot_compare(dir.path(), &CompareOptions::default()).unwrap();
    let second = std::fs::read(dir.path().join("comparison_db_test.png")).unwrap();
    assert!(first == second, "two renderings of the same results differ");
}
