//! `plot run` on loadgen-style fixtures: the picture decodes, has the requested size, every
//! panel holds its data, the SVG is written on request, and the bytes are deterministic.

use crate::common::{self, copy_tree, decode, file_names, fixtures};
use plot::{RunOptions, plot_run, run, run_graph_panel_bands};

const USERS: (u8, u8, u8) = (106, 61, 154);
const BLUE: (u8, u8, u8) = (31, 119, 180);
const P50: (u8, u8, u8) = (44, 160, 44);
const P95: (u8, u8, u8) = (255, 127, 14);
const DATABASE: (u8, u8, u8) = (140, 86, 75);
const WARNING_RED: (u8, u8, u8) = (183, 28, 28);

/// Each panel band must be inked (axes, grid, labels) and hold many pixels of its data colour:
/// far more than its legend sample (about 75 pixels) could account for.
fn assert_panels(image: &common::Image, bands: &[std::ops::Range<u32>], colours: &[(u8, u8, u8)]) {
    assert_eq!(bands.len(), colours.len());
    for (band, colour) in bands.iter().zip(colours) {
        let ink = image.ink(band.clone());
        assert!(
            ink > 0.02,
            "panel {band:?} is nearly blank ({ink:.4} inked)"
        );
        let n = image.count(band.clone(), *colour);
        assert!(n > 400, "panel {band:?} has only {n} pixels of {colour:?}");
    }
}

#[test]
fn renders_all_five_panels_with_resources() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("axum/db_test");
    copy_tree(&fixtures().join("results/axum/db_test"), &run_dir);
    let options = RunOptions::default();
    let written = plot_run(&run_dir, &options).unwrap();
    assert_eq!(written, vec![run_dir.join("graph.png")]);

    let image = decode(&run_dir.join("graph.png"));
    assert_eq!((image.width, image.height), plot::RUN_GRAPH_SIZE);
    let run = run::load(&run_dir, None).unwrap();
    let bands = run_graph_panel_bands(&run, &options);
    assert_eq!(bands.len(), 5, "users, throughput, latency, CPU, memory");
    assert_panels(&image, &bands, &[USERS, BLUE, P50, DATABASE, DATABASE]);
    assert!(bands[4].end <= image.height);
    // A clean run shows no warning banner.
    assert_eq!(image.count(0..bands[0].start, WARNING_RED), 0);
    assert_eq!(
        file_names(&run_dir),
        [
            "graph.png",
            "resources.csv",
            "summary.json",
            "timeseries.csv"
        ]
    );
}

#[test]
fn without_resources_there_are_three_panels() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("warp.png");
    let run_dir = fixtures().join("results/warp/db_test");
    let options = RunOptions {
        out: Some(out.clone()),
        size: (1200, 1000),
        ..RunOptions::default()
    };
    plot_run(&run_dir, &options).unwrap();
    let image = decode(&out);
    assert_eq!((image.width, image.height), (1200, 1000));
    let run = run::load(&run_dir, None).unwrap();
    let bands = run_graph_panel_bands(&run, &options);
    assert_eq!(bands.len(), 3);
    assert_panels(&image, &bands, &[USERS, BLUE, P95]);
}

#[test]
fn flagged_runs_carry_a_visible_warning() {
    let dir = tempfile::tempdir().unwrap();
    for (fixture, expected) in [
        ("results/rocket/db_test", "% of requests failed"),
        ("results/axum/no_db_test", "Load generator saturated"),
    ] {
        let run_dir = fixtures().join(fixture);
        let run = run::load(&run_dir, None).unwrap();
        let warnings = run.warnings();
        assert_eq!(warnings.len(), 1, "{fixture}: {warnings:?}");
        assert!(warnings[0].contains(expected), "{fixture}: {warnings:?}");

        let out = dir.path().join("flagged.png");
        let options = RunOptions {
            out: Some(out.clone()),
            ..RunOptions::default()
        };
        plot_run(&run_dir, &options).unwrap();
        let image = decode(&out);
        let header = 0..run_graph_panel_bands(&run, &options)[0].start;
        assert!(
            image.count(header, WARNING_RED) > 5_000,
            "{fixture}: no red warning banner above the panels"
        );
    }
}

#[test]
fn same_input_gives_the_same_bytes_and_svg_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = fixtures().join("results/rocket/db_test");
    let render = |name: &str| {
        let out = dir.path().join(name);
        let written = plot_run(
            &run_dir,
            &RunOptions {
                out: Some(out.clone()),
                svg: true,
                log_scale: true,
                ..RunOptions::default()
            },
        )
        .unwrap();
        assert_eq!(written, vec![out.clone(), out.with_extension("svg")]);
        (
            std::fs::read(&out).unwrap(),
            std::fs::read_to_string(out.with_extension("svg")).unwrap(),
        )
    };
    let (png_a, svg_a) = render("a.png");
    let (png_b, svg_b) = render("b.png");
    assert!(png_a == png_b, "two renderings of the same run differ");
    assert_eq!(svg_a, svg_b);
    assert!(
        svg_a.starts_with("<svg"),
        "not an SVG: {}",
        &svg_a[..40.min(svg_a.len())]
    );
    assert!(
        svg_a.contains("rocket · db_test"),
        "the SVG title names backend and test type"
    );
}

#[test]
fn log_scale_changes_the_latency_panel_only() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = fixtures().join("results/axum/db_test");
    let mut images = Vec::new();
    for log_scale in [false, true] {
        let out = dir.path().join(format!("log_{log_scale}.png"));
        let options = RunOptions {
            out: Some(out.clone()),
            log_scale,
            ..RunOptions::default()
        };
        plot_run(&run_dir, &options).unwrap();
        images.push(decode(&out));
    }
    let run = run::load(&run_dir, None).unwrap();
    let bands = run_graph_panel_bands(&run, &RunOptions::default());
    let rows = |img: &common::Image, band: &std::ops::Range<u32>| {
        let row = img.width as usize * 3;
        img.rgb[band.start as usize * row..band.end as usize * row].to_vec()
    };
    assert_eq!(rows(&images[0], &bands[1]), rows(&images[1], &bands[1]));
    assert_ne!(rows(&images[0], &bands[2]), rows(&images[1], &bands[2]));
}
