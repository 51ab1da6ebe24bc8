//! What the simulated users do: the built-in test types of the original suite (SPEC section 2)
//! and scenario files in TOML, so a new test type needs no Rust. Also maps tasks onto the stats
//! entries Locust would keep: one per (name, method), sorted like Locust sorts them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// The exact body of the original suite's `POST /notes/`.
pub const SAMPLE_NOTE: &str = r#"{"title": "Sample Note", "content": "This is a note content."}"#;

/// The names of the built-in test types.
pub const BUILT_IN: [&str; 2] = ["db_test", "no_db_test"];

/// One request a user can make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// The stats name (Locust's `name=`), by default the path.
    pub name: String,
    pub method: String,
    pub path: String,
    /// JSON text sent verbatim with `Content-Type: application/json`.
    pub body: Option<String>,
    pub headers: Vec<(String, String)>,
    pub expected_status: u16,
    pub weight: u32,
}

/// A test type: a name and its weighted tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub name: String,
    pub tasks: Vec<Task>,
}

/// A stats entry: Locust keys its statistics by (name, method).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntryKey {
    pub name: String,
    pub method: String,
}

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("unknown test type '{0}': expected db_test or no_db_test (or --scenario FILE)")]
    UnknownTestType(String),
    #[error("scenario file '{path}': {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("scenario file '{path}': {message}")]
    Invalid { path: String, message: String },
}

impl Scenario {
    /// A built-in test type by name.
    pub fn built_in(name: &str) -> Result<Scenario, ScenarioError> {
        let get = |path: &str| Task {
            name: path.to_owned(),
            method: "GET".to_owned(),
            path: path.to_owned(),
            body: None,
            headers: Vec::new(),
            expected_status: 200,
            weight: 1,
        };
        let tasks = match name {
            "db_test" => vec![
                Task {
                    method: "POST".to_owned(),
                    body: Some(SAMPLE_NOTE.to_owned()),
                    expected_status: 201,
                    ..get("/notes/")
                },
                get("/notes/"),
            ],
            "no_db_test" => vec![get("/no_db_endpoint/"), get("/no_db_endpoint2/")],
            other => return Err(ScenarioError::UnknownTestType(other.to_owned())),
        };
        Ok(Scenario {
            name: name.to_owned(),
            tasks,
        })
    }

    /// Reads a scenario file (format: `docs/results-format.md` and `loadgen --help`).
    pub fn from_file(path: &Path) -> Result<Scenario, ScenarioError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: shown.clone(),
            source,
        })?;
        let default_name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Scenario::from_toml(&text, &default_name).map_err(|message| ScenarioError::Invalid {
            path: shown,
            message,
        })
    }

    /// Parses scenario TOML; the error is one line without the file name.
    pub fn from_toml(text: &str, default_name: &str) -> Result<Scenario, String> {
        let file: ScenarioFile = toml::from_str(text).map_err(|e| {
            let message = e.message().replace('\n', " ");
            match e.span() {
                Some(span) => format!("line {}: {}", line_of(text, span.start), message.trim()),
                None => message.trim().to_owned(),
            }
        })?;
        if file.task.is_empty() {
            return Err("no tasks: add at least one [[task]] with a path".to_owned());
        }
        let tasks = file
            .task
            .into_iter()
            .enumerate()
            .map(|(i, t)| t.validate().map_err(|m| format!("task {}: {m}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scenario {
            name: file.name.unwrap_or_else(|| default_name.to_owned()),
            tasks,
        })
    }

    /// The stats entries in Locust's order, and for each task the index of its entry.
    pub fn entries(&self) -> (Vec<EntryKey>, Vec<usize>) {
        let mut index: BTreeMap<EntryKey, usize> = BTreeMap::new();
        for task in &self.tasks {
            index
                .entry(EntryKey {
                    name: task.name.clone(),
                    method: task.method.clone(),
                })
                .or_insert(0);
        }
        for (i, slot) in index.values_mut().enumerate() {
            *slot = i;
        }
        let of_task = self
            .tasks
            .iter()
            .map(|t| {
                index[&EntryKey {
                    name: t.name.clone(),
                    method: t.method.clone(),
                }]
            })
            .collect();
        (index.into_keys().collect(), of_task)
    }

    pub fn total_weight(&self) -> u64 {
        self.tasks.iter().map(|t| u64::from(t.weight)).sum()
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    text.get(..byte).unwrap_or(text).matches('\n').count() + 1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: Option<String>,
    #[serde(default)]
    task: Vec<TaskFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskFile {
    name: Option<String>,
    method: Option<String>,
    path: String,
    body: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    expected_status: Option<u16>,
    weight: Option<u32>,
}

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

impl TaskFile {
    fn validate(self) -> Result<Task, String> {
        let method = self.method.unwrap_or_else(|| "GET".to_owned());
        if !METHODS.contains(&method.as_str()) {
            return Err(format!(
                "method '{method}' is not one of {}",
                METHODS.join(", ")
            ));
        }
        if !self.path.starts_with('/') || self.path.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(format!(
                "path '{}' must start with / and contain no spaces or control characters",
                self.path
            ));
        }
        if let Some(body) = &self.body
            && let Err(e) = serde_json::from_str::<serde_json::Value>(body)
        {
            return Err(format!("body is not valid JSON ({e})"));
        }
        for (name, value) in &self.headers {
            let token_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !token_ok {
                return Err(format!("header name '{name}' is not a valid HTTP token"));
            }
            if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
                return Err(format!(
                    "header '{name}' value contains a line break or NUL"
                ));
            }
            if ["content-length", "transfer-encoding", "host", "connection"]
                .contains(&name.to_ascii_lowercase().as_str())
            {
                return Err(format!(
                    "header '{name}' is set by loadgen and cannot be overridden"
                ));
            }
        }
        let expected_status = self.expected_status.unwrap_or(200);
        if !(100..=599).contains(&expected_status) {
            return Err(format!(
                "expected_status {expected_status} is not an HTTP status (100..=599)"
            ));
        }
        let weight = self.weight.unwrap_or(1);
        if weight == 0 {
            return Err("weight must be at least 1".to_owned());
        }
        Ok(Task {
            name: self.name.unwrap_or_else(|| self.path.clone()),
            method,
            path: self.path,
            body: self.body,
            headers: self.headers.into_iter().collect(),
            expected_status,
            weight,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_test_matches_the_original_suite() {
        let s = Scenario::built_in("db_test").unwrap();
        assert_eq!(
            s.tasks[0].body.as_deref(),
            Some(r#"{"title": "Sample Note", "content": "This is a note content."}"#)
        );
        assert_eq!(s.tasks[0].expected_status, 201);
        let (entries, of_task) = s.entries();
        assert_eq!(
            entries[0],
            EntryKey {
                name: "/notes/".into(),
                method: "GET".into()
            }
        );
        assert_eq!(of_task, vec![1, 0]);
    }

    #[test]
    fn toml_with_defaults_and_errors() {
        let s = Scenario::from_toml(
            "name = \"mine\"\n[[task]]\npath = \"/a\"\n[[task]]\nmethod = \"POST\"\npath = \"/b\"\nbody = '{\"x\": 1}'\nweight = 3\nexpected_status = 201\nheaders = { X-Key = \"v\" }\n",
            "file",
        )
        .unwrap();
        assert_eq!(s.name, "mine");
        assert_eq!(s.tasks[0].method, "GET");
        assert_eq!(s.tasks[1].weight, 3);
        assert_eq!(s.total_weight(), 4);
        assert_eq!(
            s.tasks[1].headers,
            vec![("X-Key".to_owned(), "v".to_owned())]
        );

        let err = Scenario::from_toml("[[task]]\npath = \"/a\"\nwieght = 2\n", "f").unwrap_err();
        assert!(err.starts_with("line 3: unknown field `wieght`"), "{err}");
        assert!(!err.contains('\n'));
        let err = Scenario::from_toml("[[task]]\npath = \"/a\"\nweight = 0\n", "f").unwrap_err();
        assert_eq!(err, "task 1: weight must be at least 1");
        let err =
            Scenario::from_toml("[[task]]\npath = \"/a\"\nbody = '{nope'\n", "f").unwrap_err();
        assert!(err.starts_with("task 1: body is not valid JSON"), "{err}");
        assert!(
            Scenario::from_toml("", "f")
                .unwrap_err()
                .starts_with("no tasks")
        );
    }
}
