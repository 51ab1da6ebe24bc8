//! The comparison picture of one test type: req/s over time per backend on one chart, and bars
//! of mean req/s, p50, p99, failure % and CPU-seconds per 1,000 requests, one row per backend.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::canvas::Picture;
use super::fonts;
use super::palette;
use super::widgets::{
    self, Area, BANNER_HEIGHT, BAR_CHART_CHROME, BAR_ROW, Banner, Bar, BarChart, Line, LinePanel,
    region, text,
};
use crate::error::{PlotError, draw_err};
use crate::numbers::grouped;
use crate::results::Entry;

pub const DEFAULT_WIDTH: u32 = 1500;
const HEADER_HEIGHT: u32 = 100;
const TIME_CHART_HEIGHT: u32 = 440;
const MIN_TIME_CHART_HEIGHT: u32 = 200;
const MIN_BAR_ROW: u32 = 10;

/// What one bar chart shows for a backend: the stacked parts and the text at the bar's end.
type BarValue<'a> = dyn Fn(&Entry, RGBColor) -> (Vec<(f64, RGBColor)>, String) + 'a;

pub(crate) struct Comparison<'a> {
    pub test_type: &'a str,
    /// Sorted by mean req/s, fastest first; each with its colour.
    pub entries: Vec<(&'a Entry, RGBColor)>,
    pub size: (u32, u32),
}

impl Comparison<'_> {
    /// The height that gives every bar a readable row.
    pub(crate) fn natural_height(&self) -> u32 {
        let banners = self.banners().len() as u32;
        let bars = 3 * (BAR_CHART_CHROME + BAR_ROW * self.entries.len() as u32 + 20);
        12 + HEADER_HEIGHT + banners * (BANNER_HEIGHT + 6) + TIME_CHART_HEIGHT + bars + 12
    }

    /// Refuses sizes whose charts would be too short to read.
    pub(crate) fn check_size(&self) -> Result<(), PlotError> {
        let entries: Vec<&Entry> = self.entries.iter().map(|(e, _)| *e).collect();
        let banners = self.banners().len() as u32;
        let needed = 12
            + HEADER_HEIGHT
            + banners * (BANNER_HEIGHT + 6)
            + 2 * MIN_TIME_CHART_HEIGHT
                .max(3 * (BAR_CHART_CHROME + MIN_BAR_ROW * entries.len() as u32))
            + 22;
        if self.size.1 < needed {
            return Err(PlotError::TooSmall {
                width: self.size.0,
                height: self.size.1,
                needed,
            });
        }
        Ok(())
    }

    /// The backend's name, marked when its figures are Locust's or the run was flagged.
    fn label(entry: &Entry) -> String {
        let mut label = entry.backend.clone();
        if entry.run.is_locust() {
            label.push_str(" (Locust)");
        }
        if !entry.run.warnings().is_empty() {
            label.push_str(" ⚠");
        }
        label
    }
}

impl Picture for Comparison<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), PlotError> {
        root.fill(&WHITE).map_err(draw_err)?;
        let (width, height) = self.size;
        let inner = width - 32;
        let mut y = 12;
        self.header(&region(root, 16, y, inner, HEADER_HEIGHT))?;
        y += HEADER_HEIGHT;
        for (kind, message) in self.banners() {
            widgets::banner(&region(root, 16, y, inner, BANNER_HEIGHT), kind, &message)?;
            y += BANNER_HEIGHT + 6;
        }
        let remaining = height.saturating_sub(y + 12);
        let time_height = TIME_CHART_HEIGHT.min(remaining / 2);
        self.time_chart()
            .draw(&region(root, 4, y, width - 8, time_height))?;
        y += time_height + 10;
        let bar_height = height.saturating_sub(y + 12) / 3;
        let charts = self.bar_charts(root);
        let half = (width - 24) / 2;
        for (i, chart) in charts.iter().enumerate() {
            let (col, row) = ((i % 2) as u32, (i / 2) as u32);
            chart.draw(&region(
                root,
                12 + col * half,
                y + row * bar_height,
                half - 8,
                bar_height,
            ))?;
        }
        let notes = region(root, 12 + half, y + 2 * bar_height, half - 8, bar_height);
        self.notes(&notes)
    }
}

impl Comparison<'_> {
    fn header<DB: DrawingBackend>(&self, area: &Area<DB>) -> Result<(), PlotError> {
        let (w, _) = area.dim_in_pixel();
        let entries: Vec<&Entry> = self.entries.iter().map(|(e, _)| *e).collect();
        let title = format!(
            "{} · {} backend{} compared",
            self.test_type,
            entries.len(),
            if entries.len() == 1 { "" } else { "s" }
        );
        text(
            area,
            &title,
            (0, 0),
            fonts::bold(30.0),
            palette::TEXT,
            HPos::Left,
        )?;
        let workload = match crate::results::common_workload(&entries) {
            Some(w) => format!("Workload: {w}"),
            None => "Workload: differs between backends (see each run's graph)".to_string(),
        };
        let font = fonts::regular(18.0);
        let workload = widgets::fit(area, &workload, &font, w);
        text(area, &workload, (0, 44), font, palette::TEXT, HPos::Left)?;
        let machines = crate::results::machines_text(&entries);
        let font = fonts::regular(15.0);
        let machines = widgets::fit(area, &format!("Machine: {machines}"), &font, w);
        text(area, &machines, (0, 72), font, palette::MUTED, HPos::Left)
    }

    fn banners(&self) -> Vec<(Banner, String)> {
        let entries: Vec<&Entry> = self.entries.iter().map(|(e, _)| *e).collect();
        let mut out = Vec::new();
        if !crate::results::same_workload(&entries) {
            out.push((
                Banner::Warning,
                "the runs used different workloads: their numbers are not directly comparable"
                    .to_string(),
            ));
        }
        for entry in &entries {
            for warning in entry.run.warnings() {
                out.push((Banner::Warning, format!("{}: {warning}", entry.backend)));
            }
        }
        if entries.iter().any(|e| e.run.is_locust()) {
            out.push((
                Banner::Note,
                "(Locust) = plain Locust CSV: Locust's rolling req/s and rounded percentiles, not exact"
                    .to_string(),
            ));
        }
        out
    }

    fn time_chart(&self) -> LinePanel {
        let x_max = self
            .entries
            .iter()
            .map(|(e, _)| e.run.time_span())
            .fold(1.0, f64::max);
        LinePanel {
            title: "Requests per second over time".to_string(),
            y_desc: "requests per second".to_string(),
            lines: self
                .entries
                .iter()
                .map(|(e, colour)| Line {
                    label: Self::label(e),
                    colour: *colour,
                    dashed: e.run.is_locust(),
                    points: e.run.seconds.iter().map(|s| (s.t, Some(s.rps))).collect(),
                })
                .collect(),
            log_y: false,
            x_max,
            x_desc: Some("time since start of the run (s)".to_string()),
        }
    }

    fn bar_charts<DB: DrawingBackend>(&self, area: &Area<DB>) -> Vec<BarChart> {
        let name_font = fonts::regular(14.0);
        let label_width = self
            .entries
            .iter()
            .map(|(e, _)| widgets::text_width(area, &Self::label(e), &name_font))
            .max()
            .unwrap_or(0)
            .clamp(60, 260)
            + 16;
        let chart = |title: &str, value: &BarValue<'_>| BarChart {
            title: title.to_string(),
            bars: self
                .entries
                .iter()
                .map(|(e, colour)| {
                    let (parts, value_text) = value(e, *colour);
                    Bar {
                        label: Self::label(e),
                        parts,
                        value_text,
                    }
                })
                .collect(),
            label_width,
        };
        let ms = |v: Option<f64>, e: &Entry, colour| match v {
            Some(v) => (
                vec![(v, colour)],
                super::run_graph::ms_text(Some(v), e.run.is_locust()),
            ),
            None => (Vec::new(), "not recorded".to_string()),
        };
        vec![
            chart("Mean throughput (req/s, whole run)", &|e, c| {
                (vec![(e.run.totals.rps, c)], grouped(e.run.totals.rps, 1))
            }),
            chart("Failures (% of requests)", &|e, c| {
                let pct = e.run.failure_percent();
                (vec![(pct, c)], format!("{} %", grouped(pct, 2)))
            }),
            chart("p50 response time (ms, whole run)", &|e, c| {
                ms(e.run.totals.p50_ms, e, c)
            }),
            chart("p99 response time (ms, whole run)", &|e, c| {
                ms(e.run.totals.p99_ms, e, c)
            }),
            chart(
                "CPU-seconds per 1,000 requests (backend + database)",
                &|e, c| match cpu_per_thousand(e) {
                    Some((backend, db)) => {
                        let mut parts = vec![(backend, c)];
                        let mut text = grouped(backend, 3);
                        if let Some(db) = db {
                            parts.push((db, palette::lighter(c, 0.6)));
                            text = format!("{} + db {}", grouped(backend, 3), grouped(db, 3));
                        }
                        (parts, text)
                    }
                    None => (Vec::new(), "not measured".to_string()),
                },
            ),
        ]
    }

    fn notes<DB: DrawingBackend>(&self, area: &Area<DB>) -> Result<(), PlotError> {
        let lines = [
            "How to read the bars",
            "• backends sorted by mean throughput, fastest first; every scale starts at zero",
            "• CPU: backend (solid) + database (light, \"db\"); 100 % = one core",
            "• \"not measured\": the run has no resource samples",
            "• ⚠ = flagged run (see the warnings above)",
        ];
        for (i, line) in lines.iter().enumerate() {
            let font = if i == 0 {
                fonts::bold(16.0)
            } else {
                fonts::regular(14.0)
            };
            let colour = if i == 0 {
                palette::TEXT
            } else {
                palette::MUTED
            };
            let line = widgets::fit(area, line, &font, area.dim_in_pixel().0.saturating_sub(30));
            text(
                area,
                &line,
                (24, 4 + i as i32 * 21),
                font,
                colour,
                HPos::Left,
            )?;
        }
        Ok(())
    }
}

/// Backend and database CPU-seconds per 1,000 requests; `None` when backend CPU was not measured.
pub(crate) fn cpu_per_thousand(entry: &Entry) -> Option<(f64, Option<f64>)> {
    let per = |seconds: f64| seconds * 1000.0 / entry.run.totals.requests as f64;
    let backend = entry.run.usage.backend_cpu_seconds.map(per)?;
    Some((backend, entry.run.usage.db_cpu_seconds.map(per)))
}
