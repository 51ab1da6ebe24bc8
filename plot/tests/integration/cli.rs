//! The `plot` executable: exit codes, output lines, and one-line errors on stderr.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{copy_tree, fixtures};

fn plot(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plot"))
        .args(args)
        .output()
        .expect("the plot binary runs")
}

fn stderr_line(output: &Output) -> String {
    let text = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "stderr is not one line: {text:?}");
    text.trim_end().to_string()
}

#[test]
fn run_compare_readme_then_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    copy_tree(&fixtures().join("results"), &results);
    let run = results.join("axum/db_test");

    let out = plot(&[Path::new("run"), &run, Path::new("--svg")]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        format!(
            "wrote {}\nwrote {}\n",
            run.join("graph.png").display(),
            run.join("graph.svg").display()
        )
    );

    let out = plot(&[Path::new("compare"), &results]);
    assert!(out.status.success(), "{out:?}");
    assert!(results.join("comparison_db_test.png").is_file());

    let readme = dir.path().join("README.md");
    std::fs::write(
        &readme,
        "x\n<!-- results:start -->\n<!-- results:end -->\ny\n",
    )
    .unwrap();
    let first = plot(&[Path::new("readme"), &readme, &results]);
    assert!(
        String::from_utf8(first.stdout)
            .unwrap()
            .starts_with("updated ")
    );
    let second = plot(&[Path::new("readme"), &readme, &results]);
    assert!(second.status.success());
    assert!(
        String::from_utf8(second.stdout)
            .unwrap()
            .starts_with("unchanged: ")
    );
}

#[test]
fn errors_are_one_line_with_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");

    let out = plot(&[Path::new("run"), &missing]);
    assert_eq!(out.status.code(), Some(1));
    let line = stderr_line(&out);
    assert!(line.starts_with("plot: run: "), "{line}");
    assert!(line.contains("nothing-here: file not found"), "{line}");

    let out = plot(&[Path::new("compare"), dir.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_line(&out).contains("no runs found"));

    let out = plot(&[
        Path::new("run"),
        dir.path(),
        Path::new("--size"),
        Path::new("12"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_line(&out).contains("invalid size `12`: expected WIDTHxHEIGHT"));

    let out = plot(&[Path::new("draw")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_line(&out).contains("unrecognized subcommand 'draw'"));
}
