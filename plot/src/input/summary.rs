//! `summary.json` (loadgen's whole-run figures and metadata, docs/results-format.md).
//!
//! Unknown keys are ignored (writers may add fields). `workload`, `duration_s` and `totals` are
//! what the pictures cannot do without; metadata and `resources` may be absent (not measured).

use std::path::Path;

use serde::Deserialize;

use crate::error::PlotError;
use crate::run::{Machine, Saturation, Totals, Usage, Workload};

pub(crate) const FILE: &str = "summary.json";

/// The schema this reader understands.
const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Deserialize)]
pub(crate) struct Summary {
    #[serde(default)]
    pub backend: Option<String>,
    pub test_type: String,
    #[serde(default)]
    pub runtime: Option<String>,
    pub workload: Workload,
    #[serde(default)]
    pub started_at: Option<String>,
    pub duration_s: f64,
    #[serde(default)]
    pub git_commit: Option<String>,
    #[serde(default)]
    pub machine: Option<Machine>,
    pub totals: Totals,
    #[serde(default)]
    pub saturation: Option<Saturation>,
    #[serde(default)]
    pub resources: Option<Usage>,
}

pub(crate) fn read(path: &Path) -> Result<Summary, PlotError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| PlotError::reading(path, e, "loadgen's whole-run summary"))?;
    let invalid =
        |e: serde_json::Error| PlotError::invalid(path, format!("not a valid summary: {e}"));
    let value: serde_json::Value = serde_json::from_str(&text).map_err(invalid)?;
    // The version first: a newer schema may lack fields this reader needs, and saying so
    // is clearer than naming the first missing field.
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(PlotError::invalid(
                path,
                format!("schema_version {v} is not supported (this plot reads {SCHEMA_VERSION})"),
            ));
        }
        None => {
            return Err(PlotError::invalid(
                path,
                "not a valid summary: no numeric `schema_version`",
            ));
        }
    }
    let summary: Summary = serde_json::from_value(value).map_err(invalid)?;
    if !(summary.duration_s.is_finite() && summary.duration_s >= 0.0) {
        return Err(PlotError::invalid(
            path,
            "duration_s must be a non-negative number",
        ));
    }
    if summary.totals.requests == 0 {
        return Err(PlotError::EmptyRun {
            path: path.to_path_buf(),
            reason: "totals.requests is 0".to_string(),
        });
    }
    if summary.totals.failures > summary.totals.requests {
        return Err(PlotError::invalid(
            path,
            "totals.failures exceeds totals.requests",
        ));
    }
    Ok(summary)
}
