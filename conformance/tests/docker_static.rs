//! The Docker side, checked without a Docker engine. Each test loops over every backend folder,
//! so a new folder is checked with no new test code; a failure lists every backend and reason.

use conformance::backend::repo_root;
use conformance::docker::{self, StaticOutcome};

fn assert_passes(check: &str, outcome: StaticOutcome) {
    match outcome {
        Ok(compared) => eprintln!("PASS {check}: {compared}"),
        Err(problems) => panic!("{check} failed:\n  {}", problems.join("\n  ")),
    }
}

#[test]
fn compose_names_db_and_backend_services() {
    assert_passes("compose-services", docker::compose_services(&repo_root()));
}

#[test]
fn compose_env_names_are_spec_names_the_code_reads() {
    assert_passes("compose-env-names", docker::compose_env_names(&repo_root()));
}

#[test]
fn every_backend_folder_has_backend_toml_and_dockerfile() {
    assert_passes("backend-folders", docker::backend_folders(&repo_root()));
}

#[test]
fn every_dockerfile_copy_source_exists() {
    assert_passes(
        "dockerfile-sources",
        docker::dockerfile_sources(&repo_root()),
    );
}

#[test]
fn dockerfiles_pin_images_and_run_as_non_root() {
    assert_passes(
        "dockerfile-practices",
        docker::dockerfile_practices(&repo_root()),
    );
}
