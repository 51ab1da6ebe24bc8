//! The picture of one run: a header naming backend, test type and workload, warning banners,
//! a box of exact whole-run figures, and panels sharing one time axis (users; requests and
//! failures per second; p50/p95/p99; CPU and memory when resources were measured).

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::canvas::Picture;
use super::fonts;
use super::palette;
use super::widgets::{
    self, Area, BANNER_HEIGHT, Banner, FigureColumn, Line, LinePanel, figure, region, text,
};
use crate::error::PlotError;
use crate::numbers::{count, grouped};
use crate::run::{ResourceSample, Run, Source, Usage};

/// The default picture size: readable on a laptop screen without zooming.
pub const DEFAULT_SIZE: (u32, u32) = (1500, 1700);

const HEADER_HEIGHT: u32 = 104;
const GAP: u32 = 10;
const MARGIN: u32 = 16;
const MIN_PANEL_HEIGHT: u32 = 110;

pub(crate) struct RunGraph<'a> {
    pub run: &'a Run,
    pub log_y: bool,
    pub size: (u32, u32),
}

impl Picture for RunGraph<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), PlotError> {
        root.fill(&WHITE).map_err(crate::error::draw_err)?;
        let (width, _) = self.size;
        let inner = width - 2 * MARGIN;
        let layout = self.layout();
        self.header(&region(root, MARGIN, layout.header, inner, HEADER_HEIGHT))?;
        for ((kind, message), y) in self.banners().into_iter().zip(layout.banners) {
            widgets::banner(
                &region(root, MARGIN, y, inner, BANNER_HEIGHT),
                kind,
                &message,
            )?;
        }
        let columns = self.figures();
        let (box_y, box_height) = layout.figures;
        widgets::figure_box(&region(root, MARGIN, box_y, inner, box_height), &columns)?;
        for (panel, band) in self.panels().iter().zip(layout.panels) {
            panel.draw(&region(
                root,
                4,
                band.start,
                width - 8,
                band.end - band.start,
            ))?;
        }
        Ok(())
    }
}

/// Where each part of the run graph goes (top offsets and heights in pixels).
pub(crate) struct Layout {
    pub header: u32,
    pub banners: Vec<u32>,
    pub figures: (u32, u32),
    /// One vertical band per panel, top to bottom.
    pub panels: Vec<std::ops::Range<u32>>,
}

impl RunGraph<'_> {
    /// Refuses sizes whose panels would be too short to read.
    pub(crate) fn check_size(&self) -> Result<(), PlotError> {
        let layout = self.layout();
        let top = layout.panels.first().map_or(0, |p| p.start);
        let needed = top + MIN_PANEL_HEIGHT * layout.panels.len() as u32 + 24 + 12;
        if self.size.1 < needed {
            return Err(PlotError::TooSmall {
                width: self.size.0,
                height: self.size.1,
                needed,
            });
        }
        Ok(())
    }

    pub(crate) fn layout(&self) -> Layout {
        let (_, height) = self.size;
        let mut y = 12;
        let header = y;
        y += HEADER_HEIGHT;
        let banners = self
            .banners()
            .iter()
            .map(|_| {
                let top = y;
                y += BANNER_HEIGHT + 6;
                top
            })
            .collect();
        let box_height = widgets::figure_box_height(&self.figures());
        let figures = (y + 4, box_height);
        y += box_height + 4 + GAP;
        let count = self.panels().len() as u32;
        let available = height.saturating_sub(y + 12);
        // The bottom panel also carries the time axis title.
        let each = available.saturating_sub(24) / count;
        let panels = (0..count)
            .map(|i| {
                let top = y + each * i;
                let bottom = if i + 1 == count {
                    y + available
                } else {
                    top + each
                };
                top..bottom
            })
            .collect();
        Layout {
            header,
            banners,
            figures,
            panels,
        }
    }

    fn header<DB: DrawingBackend>(&self, area: &Area<DB>) -> Result<(), PlotError> {
        let run = self.run;
        let (w, _) = area.dim_in_pixel();
        let title = match &run.source {
            Source::Loadgen => format!(
                "{} · {}",
                run.backend.as_deref().unwrap_or("unknown backend"),
                run.test_type.as_deref().unwrap_or("unknown test type")
            ),
            Source::Locust { prefix } if prefix == "benchmark" => {
                format!("{} · plain Locust CSV", folder_label(run))
            }
            Source::Locust { prefix } => {
                format!("{} · plain Locust CSV `{prefix}`", folder_label(run))
            }
        };
        let title_font = fonts::bold(30.0);
        let title = widgets::fit(area, &title, &title_font, w);
        text(area, &title, (0, 0), title_font, palette::TEXT, HPos::Left)?;
        let workload_font = fonts::regular(18.0);
        let workload = widgets::fit(
            area,
            &format!("Workload: {}", run.workload_text()),
            &workload_font,
            w,
        );
        text(
            area,
            &workload,
            (0, 44),
            workload_font,
            palette::TEXT,
            HPos::Left,
        )?;
        let details_font = fonts::regular(15.0);
        let details = widgets::fit(area, &self.details(), &details_font, w);
        text(
            area,
            &details,
            (0, 74),
            details_font,
            palette::MUTED,
            HPos::Left,
        )
    }

    /// Runtime, machine, start time, commit: what makes two runs comparable or not.
    fn details(&self) -> String {
        let run = self.run;
        let mut parts = Vec::new();
        match &run.source {
            Source::Loadgen => {
                if let Some(r) = &run.runtime {
                    parts.push(format!("runtime {r}"));
                }
                if let Some(m) = &run.machine {
                    parts.push(m.describe());
                }
                if let Some(s) = &run.started_at {
                    parts.push(format!("started {s}"));
                }
                if let Some(c) = &run.git_commit {
                    parts.push(format!("commit {}", c.chars().take(10).collect::<String>()));
                }
                parts.push("figures from loadgen (exact)".to_string());
            }
            Source::Locust { prefix } => {
                parts.push(format!(
                    "from {prefix}_stats.csv and {prefix}_stats_history.csv"
                ));
                if !run.resources.is_empty() {
                    parts.push("resources from docker stats samples".to_string());
                }
                parts.push("machine and runtime not recorded".to_string());
            }
        }
        parts.join(" · ")
    }

    fn banners(&self) -> Vec<(Banner, String)> {
        let mut out: Vec<(Banner, String)> = self
            .run
            .warnings()
            .into_iter()
            .map(|w| (Banner::Warning, w))
            .collect();
        if self.run.is_locust() {
            out.push((
                Banner::Note,
                "plain Locust CSV: req/s and percentile curves are Locust's own (rolling ~10 s window, \
                 rounded response times); saturation was not recorded"
                    .to_string(),
            ));
        }
        out
    }

    fn figures(&self) -> Vec<FigureColumn> {
        let run = self.run;
        let t = &run.totals;
        let locust = run.is_locust();
        let ms = |v: Option<f64>| ms_text(v, locust);
        let mut requests = vec![
            ("requests".to_string(), count(t.requests)),
            (
                "failures".to_string(),
                format!(
                    "{} ({} %)",
                    count(t.failures),
                    grouped(run.failure_percent(), 2)
                ),
            ),
        ];
        let kinds: Vec<String> = t
            .failures_by_kind
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k} {}", count(*n)))
            .collect();
        if !kinds.is_empty() {
            requests.push(("failure kinds".to_string(), kinds.join(" · ")));
        }
        requests.push((
            "mean rate".to_string(),
            format!("{} req/s", grouped(t.rps, 1)),
        ));
        requests.push((
            "duration".to_string(),
            format!("{} s", grouped(run.duration_s, 1)),
        ));

        let latency = vec![
            ("mean".to_string(), ms(t.mean_ms)),
            ("p50".to_string(), ms(t.p50_ms)),
            ("p95".to_string(), ms(t.p95_ms)),
            ("p99".to_string(), ms(t.p99_ms)),
            (
                "p99.9 · max".to_string(),
                format!("{} · {}", ms(t.p999_ms), ms(t.max_ms)),
            ),
        ];

        let u = &run.usage;
        let cpu = |peak: Option<f64>, seconds: Option<f64>| match (peak, seconds) {
            (Some(p), Some(s)) => format!("{} % peak · {} CPU-s", grouped(p, 1), grouped(s, 1)),
            (Some(p), None) => format!("{} % peak", grouped(p, 1)),
            _ => "not measured".to_string(),
        };
        let resources = if *u == Usage::default() {
            vec![("resources".to_string(), "not measured".to_string())]
        } else {
            vec![
                (
                    "backend CPU".to_string(),
                    cpu(u.backend_cpu_percent_peak, u.backend_cpu_seconds),
                ),
                (
                    "backend memory".to_string(),
                    figure(u.backend_rss_mb_peak, 1, " MB peak"),
                ),
                (
                    "database CPU".to_string(),
                    cpu(u.db_cpu_percent_peak, u.db_cpu_seconds),
                ),
                (
                    "database memory".to_string(),
                    figure(u.db_rss_mb_peak, 1, " MB peak"),
                ),
            ]
        };

        let loadgen = match &run.saturation {
            Some(s) => vec![
                (
                    "saturated".to_string(),
                    if s.saturated {
                        "YES".to_string()
                    } else {
                        "no".to_string()
                    },
                ),
                (
                    "CPU".to_string(),
                    match (s.loadgen_cpu_percent_mean, s.loadgen_cpu_percent_max) {
                        (Some(mean), Some(max)) => {
                            format!("{} % mean · {} % max", grouped(mean, 1), grouped(max, 1))
                        }
                        (Some(mean), None) => format!("{} % mean", grouped(mean, 1)),
                        _ => "not measured".to_string(),
                    },
                ),
                (
                    "late sends".to_string(),
                    s.late_sends.map_or("not recorded".to_string(), count),
                ),
                ("max send lag".to_string(), ms(s.max_send_lag_ms)),
            ],
            None => vec![("saturation".to_string(), "not recorded".to_string())],
        };
        let heading = if locust {
            "Locust's whole-run figures"
        } else {
            "Requests (whole run)"
        };
        vec![
            FigureColumn {
                heading: heading.to_string(),
                rows: requests,
            },
            FigureColumn {
                heading: if locust {
                    "Response time (Locust, rounded)"
                } else {
                    "Response time (exact)"
                }
                .to_string(),
                rows: latency,
            },
            FigureColumn {
                heading: "Resources (100 % = one core)".to_string(),
                rows: resources,
            },
            FigureColumn {
                heading: "Load generator".to_string(),
                rows: loadgen,
            },
        ]
    }

    fn panels(&self) -> Vec<LinePanel> {
        let run = self.run;
        let x_max = run.time_span();
        let series = |f: fn(&crate::run::Second) -> Option<f64>| -> Vec<(f64, Option<f64>)> {
            run.seconds.iter().map(|s| (s.t, f(s))).collect()
        };
        let line = |label: &str, colour, points| Line {
            label: label.to_string(),
            colour,
            dashed: false,
            points,
        };
        let locust = run.is_locust();
        let mut panels = vec![
            LinePanel {
                title: "Users".to_string(),
                y_desc: "running users".to_string(),
                lines: vec![line("users", palette::USERS, series(|s| Some(s.users)))],
                log_y: false,
                x_max,
                x_desc: None,
            },
            LinePanel {
                title: if locust {
                    "Throughput (Locust's rolling mean)"
                } else {
                    "Throughput (per second)"
                }
                .to_string(),
                y_desc: "requests per second".to_string(),
                lines: vec![
                    line("requests/s", palette::REQUESTS, series(|s| Some(s.rps))),
                    line(
                        "failures/s",
                        palette::FAILURES,
                        series(|s| Some(s.failures_per_s)),
                    ),
                ],
                log_y: false,
                x_max,
                x_desc: None,
            },
            LinePanel {
                title: if locust {
                    "Response time: Locust's percentiles (rolling ~10 s window, rounded)"
                } else {
                    "Response time: exact percentiles of each second"
                }
                .to_string(),
                y_desc: if self.log_y {
                    "milliseconds (log scale)"
                } else {
                    "milliseconds"
                }
                .to_string(),
                lines: vec![
                    line("p50", palette::P50, series(|s| s.p50)),
                    line("p95", palette::P95, series(|s| s.p95)),
                    line("p99", palette::P99, series(|s| s.p99)),
                ],
                log_y: self.log_y,
                x_max,
                x_desc: None,
            },
        ];
        if !run.resources.is_empty() {
            let samples = |f: fn(&ResourceSample) -> Option<f64>| -> Vec<(f64, Option<f64>)> {
                run.resources.iter().map(|s| (s.t, f(s))).collect()
            };
            let mut cpu = vec![
                line("backend", palette::BACKEND, samples(|s| s.backend_cpu)),
                line("database", palette::DATABASE, samples(|s| s.db_cpu)),
            ];
            if run.resources.iter().any(|s| s.loadgen_cpu.is_some()) {
                cpu.push(Line {
                    dashed: true,
                    ..line(
                        "load generator",
                        palette::LOADGEN,
                        samples(|s| s.loadgen_cpu),
                    )
                });
            }
            // docker stats samples every few seconds and counts page cache as memory.
            let (cpu_title, memory_title) = if locust {
                ("CPU (docker stats samples)", "Memory (docker stats usage)")
            } else {
                (
                    "CPU",
                    "Memory (PSS: resident, shared pages split between processes)",
                )
            };
            panels.push(LinePanel {
                title: cpu_title.to_string(),
                y_desc: "% of one core".to_string(),
                lines: cpu,
                log_y: false,
                x_max,
                x_desc: None,
            });
            panels.push(LinePanel {
                title: memory_title.to_string(),
                y_desc: "MB".to_string(),
                lines: vec![
                    line("backend", palette::BACKEND, samples(|s| s.backend_mb)),
                    line("database", palette::DATABASE, samples(|s| s.db_mb)),
                ],
                log_y: false,
                x_max,
                x_desc: None,
            });
        }
        if let Some(last) = panels.last_mut() {
            last.x_desc = Some("time since start of the run (s)".to_string());
        }
        panels
    }
}

/// The run folder as `parent/folder`: for results/<backend>/<test_type>/ that names both.
pub(crate) fn folder_label(run: &Run) -> String {
    let mut parts: Vec<String> = run
        .dir
        .components()
        .rev()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .take(2)
        .collect();
    parts.reverse();
    if parts.is_empty() {
        "run".to_string()
    } else {
        parts.join("/")
    }
}

/// Milliseconds as exact as their source: loadgen's to the microsecond, Locust's rounded.
pub(crate) fn ms_text(value: Option<f64>, locust: bool) -> String {
    match value {
        None => "not recorded".to_string(),
        Some(v) if locust && v.fract() == 0.0 => format!("{} ms", grouped(v, 0)),
        Some(v) if locust => format!("{} ms", grouped(v, 1)),
        Some(v) => format!("{} ms", grouped(v, 3)),
    }
}
