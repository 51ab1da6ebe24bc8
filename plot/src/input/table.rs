//! Reading a CSV file by column name, with errors that point at the file and line.
//!
//! Writers may add columns (docs/results-format.md), so columns are looked up by header name,
//! never by position. Empty cells and Locust's `N/A` both mean "no value".

use std::path::{Path, PathBuf};

use csv::StringRecord;

use crate::error::PlotError;

/// A whole CSV file held in memory: its header and its data rows with their line numbers.
pub(crate) struct Table {
    path: PathBuf,
    header: StringRecord,
    rows: Vec<(u64, StringRecord)>,
}

impl Table {
    /// Reads `path`; `expected` tells the user what the file is, if it turns out to be missing.
    pub(crate) fn read(path: &Path, expected: &str) -> Result<Self, PlotError> {
        let bytes = std::fs::read(path).map_err(|e| PlotError::reading(path, e, expected))?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes.as_slice());
        let header = reader.headers().map_err(|e| csv_error(path, e))?.clone();
        if header.iter().all(str::is_empty) {
            return Err(PlotError::invalid(path, "no header row"));
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(path, e))?;
            let line = record.position().map_or(0, csv::Position::line);
            rows.push((line, record));
        }
        Ok(Table {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The index of a required column.
    pub(crate) fn column(&self, name: &str) -> Result<usize, PlotError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| PlotError::invalid(&self.path, format!("header has no column `{name}`")))
    }

    /// The index of a column that older writers did not have.
    pub(crate) fn optional_column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|(line, record)| Row {
            path: &self.path,
            header: &self.header,
            line: *line,
            record,
        })
    }
}

/// One data row; its accessors parse a cell and say where it was when it is wrong.
pub(crate) struct Row<'a> {
    path: &'a Path,
    header: &'a StringRecord,
    line: u64,
    record: &'a StringRecord,
}

impl Row<'_> {
    pub(crate) fn text(&self, column: usize) -> &str {
        self.record.get(column).unwrap_or("").trim()
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> PlotError {
        PlotError::MalformedRow {
            path: self.path.to_path_buf(),
            line: self.line,
            message: message.into(),
        }
    }

    fn name(&self, column: usize) -> &str {
        self.header.get(column).unwrap_or("?")
    }

    /// A cell that must hold a finite, non-negative number.
    pub(crate) fn number(&self, column: usize) -> Result<f64, PlotError> {
        self.optional_number(column)?.ok_or_else(|| {
            self.error(format!(
                "column `{}`: expected a number, got an empty cell",
                self.name(column)
            ))
        })
    }

    /// A cell that holds a finite, non-negative number or nothing (empty or `N/A`).
    pub(crate) fn optional_number(&self, column: usize) -> Result<Option<f64>, PlotError> {
        self.optional_number_with_suffix(column, "")
            .map(|v| v.map(|(n, _)| n))
    }

    /// Like [`Row::optional_number`], allowing any of `suffixes` right after the number
    /// (docker stats writes `8.09%` and `4.199MiB`); returns which suffix was found.
    pub(crate) fn optional_number_with_suffix<'s>(
        &self,
        column: usize,
        suffixes: &'s str,
    ) -> Result<Option<(f64, &'s str)>, PlotError> {
        let cell = self.text(column);
        if cell.is_empty() || cell == "N/A" {
            return Ok(None);
        }
        // Python writes tiny floats with an exponent (`9.5e-05`): only a cell that is not a
        // number as a whole is split into number and unit.
        let split = if cell.parse::<f64>().is_ok() {
            cell.len()
        } else {
            cell.find(|c: char| c.is_ascii_alphabetic() || c == '%')
                .unwrap_or(cell.len())
        };
        let (digits, suffix) = cell.split_at(split);
        let known = suffixes.split(',').find(|s| *s == suffix);
        let value = digits
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0);
        match (value, known) {
            (Some(v), Some(s)) => Ok(Some((v, s))),
            _ => {
                let unit = if suffixes.is_empty() {
                    String::new()
                } else {
                    format!(" (units: {suffixes})")
                };
                Err(self.error(format!(
                    "column `{}`: expected a non-negative number{unit}, got `{cell}`",
                    self.name(column)
                )))
            }
        }
    }
}

fn csv_error(path: &Path, e: csv::Error) -> PlotError {
    match e.position() {
        Some(pos) => PlotError::MalformedRow {
            path: path.to_path_buf(),
            line: pos.line(),
            message: csv_kind(&e),
        },
        None => PlotError::invalid(path, csv_kind(&e)),
    }
}

fn csv_kind(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields like the header, found {len}"),
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_string(),
        _ => e.to_string(),
    }
}
