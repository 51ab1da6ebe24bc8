//! Plain Locust output: the team's reference folders (original suite with docker stats, and
//! current Locust with several CSV sets in one folder) and a hand-made Locust fixture.

use crate::common::{Image, copy_tree, decode, file_names, fixtures, reference};
use plot::run::{self, Source};
use plot::{RunOptions, plot_run, run_graph_panel_bands};

const NOTE_FILL: (u8, u8, u8) = (255, 243, 205);
const USERS: (u8, u8, u8) = (106, 61, 154);
const BLUE: (u8, u8, u8) = (31, 119, 180);
const P50: (u8, u8, u8) = (44, 160, 44);
const DATABASE: (u8, u8, u8) = (140, 86, 75);

/// Renders `dir` (never writing into it) as PNG + SVG; returns the image and the SVG text.
fn render(dir: &std::path::Path, prefix: Option<&str>) -> (Image, String, usize) {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("graph.png");
    let options = RunOptions {
        prefix: prefix.map(str::to_string),
        out: Some(out.clone()),
        svg: true,
        ..RunOptions::default()
    };
    plot_run(dir, &options).unwrap();
    let run = run::load(dir, prefix).unwrap();
    let bands = run_graph_panel_bands(&run, &options);
    let image = decode(&out);
    assert_eq!((image.width, image.height), plot::RUN_GRAPH_SIZE);
    for band in &bands {
        let ink = image.ink(band.clone());
        assert!(
            ink > 0.02,
            "{}: panel {band:?} is nearly blank",
            dir.display()
        );
    }
    assert!(
        image.count(bands[0].clone(), USERS) > 300,
        "{}: no users curve",
        dir.display()
    );
    assert!(
        image.count(bands[1].clone(), BLUE) > 300,
        "{}: no req/s curve",
        dir.display()
    );
    assert!(
        image.count(bands[2].clone(), P50) > 100,
        "{}: no p50 curve",
        dir.display()
    );
    assert!(
        image.count(0..bands[0].start, NOTE_FILL) > 5_000,
        "{}: no note saying the figures are Locust's",
        dir.display()
    );
    let svg = std::fs::read_to_string(out.with_extension("svg")).unwrap();
    assert!(svg.contains("Locust&apos;s percentiles") || svg.contains("Locust's percentiles"));
    (image, svg, bands.len())
}

#[test]
fn original_suite_with_docker_stats() {
    let dir = reference("original_suite/actix-web-db_test-2024-12");
    let run = run::load(&dir, None).unwrap();
    assert_eq!(
        run.source,
        Source::Locust {
            prefix: "benchmark".to_string()
        }
    );
    assert_eq!(run.totals.requests, 908_496);
    assert_eq!(run.totals.failures, 0);
    assert_eq!(run.totals.p99_ms, Some(1200.0));
    // docker stats: `96.54%` peak; `295.1MiB` = 309.4 MB; the last, empty sample is dropped.
    assert_eq!(run.usage.backend_cpu_percent_peak, Some(96.54));
    let mb = run.usage.backend_rss_mb_peak.unwrap();
    assert!((mb - 309.44).abs() < 0.01, "{mb}");
    let db_mb = run.usage.db_rss_mb_peak.unwrap();
    assert!((db_mb - 158.5 * 1.048_576).abs() < 0.01, "{db_mb}");
    assert_eq!(run.resources.len(), 35);
    assert!(run.warnings().is_empty());

    let (image, _, panels) = render(&dir, None);
    assert_eq!(panels, 5, "CPU and memory from cpu_usage.csv");
    let run = run::load(&dir, None).unwrap();
    let bands = run_graph_panel_bands(&run, &RunOptions::default());
    assert!(
        image.count(bands[3].clone(), DATABASE) > 300,
        "no database CPU curve"
    );
    assert!(
        image.count(bands[4].clone(), DATABASE) > 300,
        "no database memory curve"
    );
}

#[test]
fn original_suite_django_is_flagged_for_failures() {
    let dir = reference("original_suite/django-sync-2024-01");
    let run = run::load(&dir, None).unwrap();
    assert_eq!((run.totals.requests, run.totals.failures), (18_861, 376));
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].starts_with("1.99 % of requests failed"),
        "{warnings:?}"
    );
    let (_, svg, panels) = render(&dir, None);
    assert_eq!(panels, 3, "no resource samples in this folder");
    assert!(svg.contains("1.99 % of requests failed"));
}

#[test]
fn current_locust_folder_with_several_sets() {
    let dir = reference("locust_csv");
    let err = run::load(&dir, None).unwrap_err().to_string();
    assert!(
        err.contains("several Locust CSV sets (failures_mix, loc_fast_nodb, loc_prof_5000, loc_proffast_5000): choose one with --prefix"),
        "{err}"
    );
    for prefix in [
        "failures_mix",
        "loc_fast_nodb",
        "loc_prof_5000",
        "loc_proffast_5000",
    ] {
        let (_, svg, panels) = render(&dir, Some(prefix));
        assert_eq!(panels, 3, "{prefix}");
        assert!(
            svg.contains(&format!("`{prefix}`")),
            "{prefix}: the picture names the set"
        );
    }
    let fast = run::load(&dir, Some("loc_fast_nodb")).unwrap();
    assert_eq!(fast.totals.requests, 237_503);
    assert_eq!(fast.seconds.len(), 20);
    assert_eq!(fast.seconds[0].p50, None, "N/A cells are gaps");
    assert_eq!(fast.seconds[1].p99, Some(8.0));
    let mixed = run::load(&dir, Some("failures_mix")).unwrap();
    assert!(mixed.warnings()[0].starts_with("66.57 % of requests failed"));
}

#[test]
fn prefix_picks_the_default_output_name() {
    let reference_dir = reference("locust_csv");
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&reference_dir, dir.path());
    let options = RunOptions {
        prefix: Some("loc_proffast_5000".to_string()),
        ..RunOptions::default()
    };
    let written = plot_run(dir.path(), &options).unwrap();
    assert_eq!(
        written,
        vec![dir.path().join("loc_proffast_5000_graph.png")]
    );
    assert!(file_names(dir.path()).iter().all(|n| !n.ends_with(".tmp")));
}

#[test]
fn hand_made_locust_fixture() {
    let dir = fixtures().join("locust_only");
    let run = run::load(&dir, None).unwrap();
    assert!(run.is_locust());
    assert_eq!(run.totals.requests, 2554);
    assert_eq!(run.totals.rps, 85.133333);
    assert_eq!(run.seconds.len(), 31);
    assert_eq!(run.seconds[30].t, 30.0);
    assert_eq!(run.seconds[1].p50, None);
    assert_eq!(run.seconds[2].p50, Some(12.0));
    assert_eq!(run.peak_users(), 200.0);
    assert!(run.resources.is_empty());
    let (_, svg, panels) = render(&dir, None);
    assert_eq!(panels, 3);
    assert!(svg.contains("plain Locust CSV"));
}
