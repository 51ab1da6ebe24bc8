//! `plot readme`: the block between the markers is regenerated, sorted by req/s, with links;
//! the text around it is untouched, and a second run changes nothing.

use crate::common::{copy_tree, fixtures};
use plot::{CompareOptions, RunOptions, plot_compare, plot_run, rewrite_readme};

const BEFORE: &str = "# backend-benchmark\n\nIntro with a <!-- comment --> and | pipes |.\n\n";
const AFTER: &str = "\n\n## Licence\n\nMIT, trailing text without newline";

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("results"), &dir.path().join("results"));
    dir
}

#[test]
fn rewrite_is_idempotent_and_leaves_outside_text_alone() {
    let dir = setup();
    let results = dir.path().join("results");
    plot_run(&results.join("axum/db_test"), &RunOptions::default()).unwrap();
    plot_compare(&results, &CompareOptions::default()).unwrap();
    let readme = dir.path().join("README.md");
    let original =
        format!("{BEFORE}<!-- results:start -->\nstale table\n<!-- results:end -->{AFTER}");
    std::fs::write(&readme, &original).unwrap();

    assert!(
        rewrite_readme(&readme, &results).unwrap(),
        "first run rewrites the block"
    );
    let first = std::fs::read_to_string(&readme).unwrap();
    assert!(
        !rewrite_readme(&readme, &results).unwrap(),
        "second run changes nothing"
    );
    assert_eq!(std::fs::read_to_string(&readme).unwrap(), first);

    assert!(first.starts_with(&format!("{BEFORE}<!-- results:start -->\n")));
    assert!(first.ends_with(&format!("<!-- results:end -->{AFTER}")));
    assert!(!first.contains("stale table"));

    let block = &first[first.find("### db_test").unwrap()..first.find("### no_db_test").unwrap()];
    assert!(block.contains("Workload: 5,000 users (spawn 10/s) · 500 s · wait 1–2 s"));
    assert!(
        block.contains("Machine: AMD EPYC 7B13 64-Core Processor (2 cores, linux), native runtime")
    );
    let rows: Vec<&str> = block
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| backend"))
        .collect();
    let order: Vec<&str> = rows
        .iter()
        .map(|r| r.split(" | ").next().unwrap())
        .collect();
    assert_eq!(
        order,
        ["| actix-web", "| axum", "| warp", "| rocket ⚠"],
        "sorted by req/s"
    );
    assert_eq!(
        rows[1],
        "| axum | 1,583.9 | 10.083 ms | 787.690 ms | 0 (0.00 %) | 99.9 % | 27.4 MB | [graph](results/axum/db_test/graph.png) |"
    );
    assert!(
        rows[2].contains("| — | — | not rendered |"),
        "warp: {}",
        rows[2]
    );
    assert!(block.contains("- ⚠ rocket: 1.87 % of requests failed"));
    assert!(block.contains("— = not measured"));
    assert!(block.contains("](results/comparison_db_test.png)"));
}

#[test]
fn crlf_readme_keeps_its_line_ends() {
    let dir = setup();
    let readme = dir.path().join("README.md");
    let original = "Top\r\n<!-- results:start -->\r\n<!-- results:end -->\r\nBottom\r\n";
    std::fs::write(&readme, original).unwrap();
    rewrite_readme(&readme, &dir.path().join("results")).unwrap();
    let text = std::fs::read_to_string(&readme).unwrap();
    assert!(text.starts_with("Top\r\n<!-- results:start -->\r\n"));
    assert!(text.ends_with("<!-- results:end -->\r\nBottom\r\n"));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every generated line ends in CRLF"
    );
}

#[test]
fn readme_in_another_folder_links_relative_to_itself() {
    let dir = setup();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let readme = docs.join("results.md");
    std::fs::write(&readme, "<!-- results:start --><!-- results:end -->\n").unwrap();
    plot_run(
        &dir.path().join("results/rocket/db_test"),
        &RunOptions::default(),
    )
    .unwrap();
    rewrite_readme(&readme, &dir.path().join("results")).unwrap();
    let text = std::fs::read_to_string(&readme).unwrap();
    assert!(
        text.contains("[graph](../results/rocket/db_test/graph.png)"),
        "{text}"
    );
}

#[test]
fn missing_or_misordered_markers_leave_the_file_untouched() {
    let dir = setup();
    let readme = dir.path().join("README.md");
    for (text, expected) in [
        ("no markers at all\n", "no `<!-- results:start -->` line"),
        (
            "<!-- results:end -->\n<!-- results:start -->\n",
            "comes before",
        ),
        (
            "<!-- results:start -->\n<!-- results:start -->\n<!-- results:end -->\n",
            "more than once",
        ),
    ] {
        std::fs::write(&readme, text).unwrap();
        let err = rewrite_readme(&readme, &dir.path().join("results"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{err}");
        assert!(err.contains("README.md"), "{err}");
        assert_eq!(std::fs::read_to_string(&readme).unwrap(), text);
    }
}
