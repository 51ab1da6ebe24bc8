//! Static checks of the Docker side, which need no Docker engine: `docker-compose.yml`, every
//! backend folder's `backend.toml` and `Dockerfile`, what the Dockerfiles copy, and the
//! environment names compose passes versus the ones the code reads.
//!
//! Each check returns `Ok(what was compared)` or every problem it found, one line each, naming
//! the backend (or file) and the reason.

use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

use crate::backend::{self, Backend, SHARED_FOLDER, SPEC_ENV};

/// The result of one static check.
pub type StaticOutcome = Result<String, Vec<String>>;

pub const COMPOSE_FILE: &str = "docker-compose.yml";
/// Where the Rust backends read their environment (shared data layer).
const RUST_CONFIG_SOURCES: &str = "backends/common/src";

/// `docker-compose.yml` parses; `db` is the official PostgreSQL image with a pinned major version
/// and a healthcheck; `backend` is built from the folder named by `BACKEND` with a CPU limit
/// from the environment.
pub fn compose_services(root: &Path) -> StaticOutcome {
    let compose = load_compose(root)?;
    let services = &compose["services"];
    let mut problems = Vec::new();

    let db = &services["db"];
    if db.is_badvalue() {
        problems.push(format!("{COMPOSE_FILE}: no service `db`"));
    } else {
        match db["image"].as_str() {
            Some(image) if is_pinned_postgres(image) => {}
            other => problems.push(format!(
                "{COMPOSE_FILE}: db.image is {other:?}, expected the official image with a pinned \
                 major version, e.g. postgres:16"
            )),
        }
        if !has_healthcheck(&db["healthcheck"]) {
            problems.push(format!(
                "{COMPOSE_FILE}: db has no healthcheck with a `test`"
            ));
        }
    }

    let service = &services["backend"];
    if service.is_badvalue() {
        problems.push(format!("{COMPOSE_FILE}: no service `backend`"));
    } else {
        let build = &service["build"];
        let build_text = [&build["context"], &build["dockerfile"], build]
            .iter()
            .filter_map(|value| value.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if !build_text.contains("${BACKEND") {
            problems.push(format!(
                "{COMPOSE_FILE}: backend.build does not use ${{BACKEND}} (context or dockerfile), \
                 so a new backend would need a compose edit"
            ));
        }
        let cpus = [
            &service["cpus"],
            &service["deploy"]["resources"]["limits"]["cpus"],
        ]
        .into_iter()
        .find_map(scalar_text);
        if !cpus.as_deref().is_some_and(|cpus| cpus.contains("${")) {
            problems.push(format!(
                "{COMPOSE_FILE}: backend has no CPU limit taken from the environment (cpus: ${{...}}), found {cpus:?}"
            ));
        }
    }
    ok_or(
        problems,
        "docker-compose.yml parses; db: official postgres image with a pinned major version and a \
         healthcheck; backend: built from backends/${BACKEND}, CPU limit from the environment",
    )
}

/// Every environment name compose gives the backend is a SPEC name that the code reads: for
/// Rust backends a string literal in backends/common/src, for others any mention in the folder.
pub fn compose_env_names(root: &Path) -> StaticOutcome {
    let compose = load_compose(root)?;
    let names = environment_names(&compose["services"]["backend"]["environment"]);
    let mut problems = Vec::new();
    if names.is_empty() {
        problems.push(format!(
            "{COMPOSE_FILE}: backend.environment names no variables"
        ));
    }
    for name in &names {
        if !SPEC_ENV.contains(&name.as_str()) {
            problems.push(format!(
                "{COMPOSE_FILE}: backend.environment sets {name}, which is not one of SPEC section 1's names"
            ));
        }
    }
    let rust_sources = text_files(&root.join(RUST_CONFIG_SOURCES));
    for backend in parsed_backends(root, &mut problems) {
        let (sources, how) = if backend.is_rust() {
            (
                rust_sources.clone(),
                format!("a \"NAME\" literal in {RUST_CONFIG_SOURCES}"),
            )
        } else {
            let own: Vec<(PathBuf, String)> = text_files(&backend.dir)
                .into_iter()
                .filter(|(path, _)| {
                    !path.ends_with("Dockerfile") && !path.ends_with("backend.toml")
                })
                .collect();
            (own, format!("a mention in backends/{}", backend.name))
        };
        for name in &names {
            let needle = if backend.is_rust() {
                format!("\"{name}\"")
            } else {
                name.clone()
            };
            if !sources.iter().any(|(_, text)| text.contains(&needle)) {
                problems.push(format!(
                    "{}: compose passes {name} but the code never reads it (looked for {how})",
                    backend.name
                ));
            }
        }
    }
    ok_or(
        problems,
        &format!(
            "compose passes {}; each is a SPEC name and is read by every backend's code",
            names.join(", ")
        ),
    )
}

/// Every folder under backends/ (but the shared one) has a complete `backend.toml`, its Docker
/// context and its Dockerfile.
pub fn backend_folders(root: &Path) -> StaticOutcome {
    let folders =
        backend::backend_folders(root).map_err(|err| vec![format!("backends/: {err}")])?;
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    for dir in folders {
        let folder = dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        if folder == SHARED_FOLDER {
            continue;
        }
        if !dir.join("backend.toml").is_file() {
            problems.push(format!(
                "{folder}: no backend.toml (only backends/{SHARED_FOLDER} may lack one)"
            ));
            continue;
        }
        match backend::load(&dir) {
            Err(err) => problems.push(format!("{folder}: {err}")),
            Ok(backend) => {
                if !backend.context_dir(root).is_dir() {
                    problems.push(format!(
                        "{folder}: docker_context {:?} is not a directory under the repository root",
                        backend.docker_context
                    ));
                }
                if !dir.join("Dockerfile").is_file() {
                    problems.push(format!(
                        "{folder}: no Dockerfile in the folder (docker-compose.yml builds backends/{folder}/Dockerfile)"
                    ));
                }
                if !backend.dockerfile_path(root).is_file() {
                    problems.push(format!(
                        "{folder}: dockerfile {:?} (relative to docker_context) does not exist",
                        backend.dockerfile.as_deref().unwrap_or("Dockerfile")
                    ));
                }
                checked.push(folder);
            }
        }
    }
    ok_or(
        problems,
        &format!(
            "{}: backend.toml with all of {} (flat lines, name = folder), docker_context and the folder's Dockerfile exist",
            checked.join(", "),
            backend::REQUIRED_KEYS.join(", ")
        ),
    )
}

/// Every `COPY`/`ADD` source of every Dockerfile exists in its build context.
pub fn dockerfile_sources(root: &Path) -> StaticOutcome {
    let mut problems = Vec::new();
    let mut sources = 0;
    for (backend, instructions) in dockerfiles(root, &mut problems) {
        let context = backend.context_dir(root);
        for instruction in instructions
            .iter()
            .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
        {
            for source in copy_sources(instruction) {
                sources += 1;
                let relative = source.trim_start_matches('/');
                let components: Vec<&str> = relative
                    .split('/')
                    .filter(|c| !c.is_empty() && *c != ".")
                    .collect();
                if !glob_exists(&context, &components) {
                    problems.push(format!(
                        "{}: Dockerfile line {}: {} source {source:?} does not exist in the context {:?}",
                        backend.name, instruction.line, instruction.keyword, backend.docker_context
                    ));
                }
            }
        }
    }
    ok_or(
        problems,
        &format!("{sources} COPY/ADD sources exist in their build contexts"),
    )
}

/// The images follow the issue: every base image pinned (a tag other than `latest`, or a
/// digest), a multi-stage build for compiled backends, a slim final image, a non-root `USER` in
/// the final stage, and `--locked` on Rust builds.
pub fn dockerfile_practices(root: &Path) -> StaticOutcome {
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    for (backend, instructions) in dockerfiles(root, &mut problems) {
        let name = &backend.name;
        let froms: Vec<&Instruction> = instructions
            .iter()
            .filter(|i| i.keyword == "FROM")
            .collect();
        let stages: Vec<String> = froms
            .iter()
            .filter_map(|from| {
                let words: Vec<&str> = from.args.split_whitespace().collect();
                let position = words
                    .iter()
                    .position(|word| word.eq_ignore_ascii_case("AS"))?;
                words
                    .get(position + 1)
                    .map(|stage| stage.to_ascii_lowercase())
            })
            .collect();
        for from in &froms {
            let image = from_image(&from.args);
            if image != "scratch"
                && !stages.contains(&image.to_ascii_lowercase())
                && !is_pinned(image)
            {
                problems.push(format!(
                    "{name}: Dockerfile line {}: base image {image:?} is not pinned (tag other than latest, or digest)",
                    from.line
                ));
            }
        }
        let Some(last_from) = froms.last() else {
            problems.push(format!("{name}: Dockerfile has no FROM"));
            continue;
        };
        if backend.is_rust() && froms.len() < 2 {
            problems.push(format!("{name}: Dockerfile is not a multi-stage build"));
        }
        let final_image = from_image(&last_from.args);
        if !["slim", "alpine", "distroless", "scratch", "chiseled"]
            .iter()
            .any(|slim| final_image.contains(slim))
        {
            problems.push(format!(
                "{name}: final image {final_image:?} is not a slim runtime image"
            ));
        }
        let user = instructions
            .iter()
            .rfind(|i| i.keyword == "USER" && i.line > last_from.line)
            .map(|i| i.args.trim().to_string());
        match user.as_deref() {
            Some(user) if !matches!(user.split(':').next(), Some("root" | "0")) => {}
            other => problems.push(format!(
                "{name}: final stage runs as root (USER {other:?}); add a non-root USER"
            )),
        }
        if backend.is_rust() {
            let cargo_builds: Vec<&Instruction> = instructions
                .iter()
                .filter(|i| i.keyword == "RUN" && i.args.contains("cargo build"))
                .collect();
            if cargo_builds.is_empty() || cargo_builds.iter().any(|i| !i.args.contains("--locked"))
            {
                problems.push(format!("{name}: no `cargo build --locked` RUN line"));
            }
        }
        checked.push(name.clone());
    }
    ok_or(
        problems,
        &format!(
            "{}: pinned base images, multi-stage (compiled languages), slim final image, non-root USER, cargo --locked (Rust)",
            checked.join(", ")
        ),
    )
}

/// One Dockerfile instruction after joining continuation lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper case.
    pub keyword: String,
    pub args: String,
    /// 1-based line where it starts.
    pub line: usize,
}

/// Splits a Dockerfile into instructions (comments dropped, `\` continuations joined).
pub fn parse_dockerfile(text: &str) -> Vec<Instruction> {
    let mut instructions = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_none()) {
            continue;
        }
        let (continues, content) = match trimmed.strip_suffix('\\') {
            Some(content) => (true, content),
            None => (false, trimmed),
        };
        let (start, mut joined) = current.take().unwrap_or((index + 1, String::new()));
        joined.push(' ');
        joined.push_str(content);
        if continues {
            current = Some((start, joined));
            continue;
        }
        let joined = joined.trim();
        if let Some((keyword, args)) = joined
            .split_once(char::is_whitespace)
            .or(Some((joined, "")))
        {
            instructions.push(Instruction {
                keyword: keyword.to_ascii_uppercase(),
                args: args.trim().to_string(),
                line: start,
            });
        }
    }
    instructions
}

/// The local sources of a `COPY`/`ADD` (none for `--from=` copies, URLs, heredocs or sources
/// with variables, which cannot be checked statically).
pub fn copy_sources(instruction: &Instruction) -> Vec<String> {
    let words: Vec<String> = if instruction.args.starts_with('[') {
        serde_json::from_str(&instruction.args).unwrap_or_default()
    } else {
        instruction
            .args
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    if words
        .iter()
        .any(|word| word.starts_with("--from") || word.starts_with("<<"))
    {
        return Vec::new();
    }
    let operands: Vec<&String> = words
        .iter()
        .filter(|word| !word.starts_with("--"))
        .collect();
    let Some((_, sources)) = operands.split_last() else {
        return Vec::new();
    };
    sources
        .iter()
        .filter(|source| {
            !source.contains("://") && !source.starts_with("git@") && !source.contains('$')
        })
        .map(|source| source.to_string())
        .collect()
}

fn load_compose(root: &Path) -> Result<Yaml, Vec<String>> {
    let path = root.join(COMPOSE_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|err| vec![format!("{COMPOSE_FILE}: cannot read: {err}")])?;
    let mut documents = YamlLoader::load_from_str(&text)
        .map_err(|err| vec![format!("{COMPOSE_FILE}: not valid YAML: {err}")])?;
    if documents.is_empty() {
        return Err(vec![format!("{COMPOSE_FILE}: empty")]);
    }
    let compose = documents.swap_remove(0);
    if compose["services"].as_hash().is_none() {
        return Err(vec![format!("{COMPOSE_FILE}: no `services` mapping")]);
    }
    Ok(compose)
}

/// `postgres:16`, `postgres:16.4-alpine`, `docker.io/library/postgres:15`.
fn is_pinned_postgres(image: &str) -> bool {
    let name_and_tag = image
        .strip_prefix("docker.io/library/")
        .or_else(|| image.strip_prefix("library/"))
        .unwrap_or(image);
    name_and_tag
        .strip_prefix("postgres:")
        .is_some_and(|tag| tag.chars().next().is_some_and(|c| c.is_ascii_digit()))
}

fn has_healthcheck(healthcheck: &Yaml) -> bool {
    match &healthcheck["test"] {
        Yaml::String(test) => !test.trim().is_empty(),
        Yaml::Array(parts) => !parts.is_empty(),
        _ => false,
    }
}

fn scalar_text(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(text) | Yaml::Real(text) => Some(text.clone()),
        Yaml::Integer(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The names of a compose `environment:` in mapping or list form.
fn environment_names(environment: &Yaml) -> Vec<String> {
    match environment {
        Yaml::Hash(map) => map
            .keys()
            .filter_map(|key| key.as_str().map(str::to_string))
            .collect(),
        Yaml::Array(items) => items
            .iter()
            .filter_map(Yaml::as_str)
            .map(|item| item.split('=').next().unwrap_or(item).trim().to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// Backends whose `backend.toml` parses; the others are recorded in `problems`.
fn parsed_backends(root: &Path, problems: &mut Vec<String>) -> Vec<Backend> {
    match backend::discover(root) {
        Err(err) => {
            problems.push(format!("backends/: {err}"));
            Vec::new()
        }
        Ok(found) => found
            .into_iter()
            .filter_map(|(folder, parsed)| {
                parsed
                    .map_err(|err| problems.push(format!("{folder}: {err}")))
                    .ok()
            })
            .collect(),
    }
}

/// Each backend with a readable Dockerfile and its instructions.
fn dockerfiles(root: &Path, problems: &mut Vec<String>) -> Vec<(Backend, Vec<Instruction>)> {
    parsed_backends(root, problems)
        .into_iter()
        .filter_map(|backend| {
            let path = backend.dockerfile_path(root);
            match std::fs::read_to_string(&path) {
                Ok(text) => Some((backend, parse_dockerfile(&text))),
                Err(err) => {
                    problems.push(format!(
                        "{}: cannot read {}: {err}",
                        backend.name,
                        path.display()
                    ));
                    None
                }
            }
        })
        .collect()
}

/// The image of a `FROM` line (flags such as `--platform` skipped).
fn from_image(args: &str) -> &str {
    args.split_whitespace()
        .find(|word| !word.starts_with("--"))
        .unwrap_or("")
}

/// A tag other than `latest`, or a digest.
fn is_pinned(image: &str) -> bool {
    if image.contains('@') {
        return true;
    }
    let last_segment = image.rsplit('/').next().unwrap_or(image);
    last_segment
        .split_once(':')
        .is_some_and(|(_, tag)| !tag.is_empty() && tag != "latest")
}

/// Every readable UTF-8 file under `dir` (recursively, skipping `target` and hidden folders).
fn text_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    pending.push(path);
                }
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                files.push((path, text));
            }
        }
    }
    files
}

/// Whether `components` (each possibly with `*`/`?` wildcards) name something under `base`.
fn glob_exists(base: &Path, components: &[&str]) -> bool {
    let Some((first, rest)) = components.split_first() else {
        return base.exists();
    };
    if !first.contains(['*', '?']) {
        return glob_exists(&base.join(first), rest);
    }
    std::fs::read_dir(base).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|entry| {
            wildcard_match(
                first.as_bytes(),
                entry.file_name().to_string_lossy().as_bytes(),
            ) && glob_exists(&entry.path(), rest)
        })
    })
}

fn wildcard_match(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.split_first(), name.split_first()) {
        (None, None) => true,
        (Some((b'*', rest)), _) => {
            wildcard_match(rest, name) || (!name.is_empty() && wildcard_match(pattern, &name[1..]))
        }
        (Some((b'?', rest)), Some((_, name_rest))) => wildcard_match(rest, name_rest),
        (Some((p, rest)), Some((n, name_rest))) if p == n => wildcard_match(rest, name_rest),
        _ => false,
    }
}

fn ok_or(problems: Vec<String>, compared: &str) -> StaticOutcome {
    if problems.is_empty() {
        Ok(compared.to_string())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_instructions_join_continuations_and_skip_comments() {
        let text = "# comment\nFROM rust:1.95 AS build\nRUN cargo build \\\n    --locked\n\nCOPY --from=build /a /b\nCOPY [\"src\", \"Cargo.toml\", \"/app/\"]\n";
        let instructions = parse_dockerfile(text);
        let keywords: Vec<&str> = instructions.iter().map(|i| i.keyword.as_str()).collect();
        assert_eq!(keywords, ["FROM", "RUN", "COPY", "COPY"]);
        assert_eq!(instructions[1].args, "cargo build  --locked");
        assert_eq!(instructions[1].line, 3);
        assert!(copy_sources(&instructions[2]).is_empty());
        assert_eq!(copy_sources(&instructions[3]), ["src", "Cargo.toml"]);
    }

    #[test]
    fn copy_flags_urls_and_variables_are_not_sources() {
        let copy = |args: &str| Instruction {
            keyword: "COPY".into(),
            args: args.into(),
            line: 1,
        };
        assert_eq!(
            copy_sources(&copy("--chown=app:app --link a b/ /dst/")),
            ["a", "b/"]
        );
        assert!(copy_sources(&copy("https://example.invalid/x /x")).is_empty());
        assert!(copy_sources(&copy("$SRC /x")).is_empty());
    }

    #[test]
    fn images_and_wildcards() {
        assert!(is_pinned_postgres("postgres:15"));
        assert!(is_pinned_postgres("docker.io/library/postgres:16.4-alpine"));
        assert!(!is_pinned_postgres("postgres"));
        assert!(!is_pinned_postgres("postgres:latest"));
        assert!(!is_pinned_postgres("bitnami/postgresql:15"));
        assert!(is_pinned("rust:1.95.0-slim-bookworm"));
        assert!(is_pinned("localhost:5000/img@sha256:abc"));
        assert!(!is_pinned("localhost:5000/img"));
        assert!(!is_pinned("debian:latest"));
        assert!(wildcard_match(b"*.toml", b"Cargo.toml"));
        assert!(wildcard_match(b"Cargo.?ock", b"Cargo.lock"));
        assert!(!wildcard_match(b"*.toml", b"Cargo.lock"));
    }

    #[test]
    fn compose_environment_names_in_both_forms() {
        let yaml =
            YamlLoader::load_from_str("a:\n  HOST: x\n  PORT: 1\nb:\n  - HOST=x\n  - WORKERS\n")
                .unwrap();
        assert_eq!(environment_names(&yaml[0]["a"]), ["HOST", "PORT"]);
        assert_eq!(environment_names(&yaml[0]["b"]), ["HOST", "WORKERS"]);
    }

    /// A repository with one mistake of each kind the static checks look for.
    fn broken_repo() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            COMPOSE_FILE,
            "services:\n  db:\n    image: postgres\n  backend:\n    build:\n      context: .\n      \
             dockerfile: backends/demo/Dockerfile\n    environment:\n      HOST: 0.0.0.0\n      \
             SECRET_X: y\n      WORKERS: 2\n",
        );
        write(
            "backends/demo/backend.toml",
            "name = \"demo\"\nlanguage = \"Go\"\nframework = \"net/http\"\nbuild = \"go build\"\n\
             run = \"./demo\"\ndocker_context = \".\"\n",
        );
        write(
            "backends/demo/Dockerfile",
            "FROM golang AS build\nCOPY backends/demo/main.go backends/demo/missing.txt /src/\n\
             COPY --from=build /a /b\nFROM debian:12\n",
        );
        write("backends/demo/main.go", "os.Getenv(\"HOST\")");
        write("backends/other/README", "no backend.toml here");
        root
    }

    fn problems(outcome: StaticOutcome) -> String {
        outcome
            .expect_err("the broken repository passed")
            .join("\n")
    }

    #[test]
    fn every_static_check_catches_its_mistake() {
        let repo = broken_repo();
        let root = repo.path();
        let services = problems(compose_services(root));
        assert!(
            services.contains("db.image is Some(\"postgres\")"),
            "{services}"
        );
        assert!(services.contains("db has no healthcheck"), "{services}");
        assert!(services.contains("does not use ${BACKEND}"), "{services}");
        assert!(services.contains("no CPU limit"), "{services}");

        let env = problems(compose_env_names(root));
        assert!(
            env.contains("sets SECRET_X, which is not one of SPEC"),
            "{env}"
        );
        assert!(
            env.contains("demo: compose passes WORKERS but the code never reads it"),
            "{env}"
        );
        assert!(!env.contains("passes HOST"), "{env}");

        let folders = problems(backend_folders(root));
        assert_eq!(
            folders,
            "other: no backend.toml (only backends/common may lack one)"
        );

        let sources = problems(dockerfile_sources(root));
        assert!(
            sources.contains("\"backends/demo/missing.txt\" does not exist"),
            "{sources}"
        );
        assert!(!sources.contains("main.go"), "{sources}");

        let practices = problems(dockerfile_practices(root));
        assert!(
            practices.contains("base image \"golang\" is not pinned"),
            "{practices}"
        );
        assert!(
            practices.contains("final image \"debian:12\" is not a slim"),
            "{practices}"
        );
        assert!(
            practices.contains("final stage runs as root"),
            "{practices}"
        );
    }
}
