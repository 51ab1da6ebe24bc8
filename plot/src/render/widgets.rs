//! Drawing pieces shared by the run graph and the comparison: text, banners, a time-series
//! panel with its legend in the caption row, a box of figures, and horizontal bar charts.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::fonts;
use super::palette;
use crate::error::{PlotError, draw_err};
use crate::numbers::{grouped, nice_ceiling, tick_label, tick_step};

pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

/// Space left of every chart for tick labels and the axis title: equal in all panels, so the
/// panels' time axes line up.
pub(crate) const Y_LABEL_AREA: u32 = 92;
const RIGHT_MARGIN: u32 = 24;

/// Writes `s` with the top of its letters at `y` (ab_glyph draws text higher than its layout
/// box says; the shift puts it back where the layout expects it).
pub(crate) fn text<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    (x, y): (i32, i32),
    font: FontDesc<'_>,
    colour: RGBColor,
    h_pos: HPos,
) -> Result<(), PlotError> {
    let shift = (font.get_size() * 0.28).round() as i32;
    let style = font.color(&colour).pos(Pos::new(h_pos, VPos::Top));
    area.draw(&Text::new(s.to_string(), (x, y + shift), style))
        .map_err(draw_err)
}

pub(crate) fn text_width<DB: DrawingBackend>(area: &Area<DB>, s: &str, font: &FontDesc<'_>) -> u32 {
    let style = TextStyle::from(font.clone());
    area.estimate_text_size(s, &style).map_or(0, |(w, _)| w)
}

/// `s`, shortened with an ellipsis until it fits in `max_width` pixels.
pub(crate) fn fit<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    font: &FontDesc<'_>,
    max_width: u32,
) -> String {
    if text_width(area, s, font) <= max_width {
        return s.to_string();
    }
    let mut chars: Vec<char> = s.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>() + "…";
        if text_width(area, &candidate, font) <= max_width {
            return candidate;
        }
    }
    String::new()
}

/// A sub-area at `(x, y)` of size `(w, h)` in `area`'s pixels.
pub(crate) fn region<DB: DrawingBackend>(
    area: &Area<DB>,
    x: u32,
    y: u32,
    w: u32,
    h: u32,
) -> Area<DB> {
    area.clone().shrink((x, y), (w, h))
}

/// How loud a banner is.
#[derive(Clone, Copy)]
pub(crate) enum Banner {
    Warning,
    Note,
}

pub(crate) const BANNER_HEIGHT: u32 = 34;

/// A full-width strip with one line of text: red for warnings, amber for notes.
pub(crate) fn banner<DB: DrawingBackend>(
    area: &Area<DB>,
    kind: Banner,
    message: &str,
) -> Result<(), PlotError> {
    let (w, h) = area.dim_in_pixel();
    let (fill, edge, ink, prefix) = match kind {
        Banner::Warning => (
            palette::WARNING_FILL,
            palette::WARNING_FILL,
            palette::WARNING_TEXT,
            "WARNING: ",
        ),
        Banner::Note => (
            palette::NOTE_FILL,
            palette::NOTE_EDGE,
            palette::NOTE_TEXT,
            "NOTE: ",
        ),
    };
    area.draw(&Rectangle::new(
        [(0, 0), (w as i32 - 1, h as i32 - 1)],
        fill.filled(),
    ))
    .map_err(draw_err)?;
    area.draw(&Rectangle::new(
        [(0, 0), (w as i32 - 1, h as i32 - 1)],
        edge.stroke_width(1),
    ))
    .map_err(draw_err)?;
    let font = fonts::bold(16.0);
    let line = fit(
        area,
        &format!("{prefix}{message}"),
        &font,
        w.saturating_sub(24),
    );
    text(
        area,
        &line,
        (12, (h as i32 - 16) / 2),
        font,
        ink,
        HPos::Left,
    )
}

/// One line of a time-series panel. `None` points are gaps (e.g. a second with no request).
pub(crate) struct Line {
    pub label: String,
    pub colour: RGBColor,
    pub dashed: bool,
    pub points: Vec<(f64, Option<f64>)>,
}

/// A chart of lines over the shared time axis, titled, with its legend beside the title.
pub(crate) struct LinePanel {
    pub title: String,
    pub y_desc: String,
    pub lines: Vec<Line>,
    pub log_y: bool,
    pub x_max: f64,
    /// The time axis title; only the bottom panel has one.
    pub x_desc: Option<String>,
}

const CAPTION_ROW: u32 = 26;

impl LinePanel {
    pub(crate) fn draw<DB: DrawingBackend>(&self, area: &Area<DB>) -> Result<(), PlotError> {
        let (width, height) = area.dim_in_pixel();
        let caption_height = self.draw_caption(area, width)?;
        let chart_area = region(
            area,
            0,
            caption_height,
            width,
            height.saturating_sub(caption_height),
        );
        let values = || {
            self.lines
                .iter()
                .flat_map(|l| l.points.iter().filter_map(|p| p.1))
        };
        let x_range = 0.0..self.x_max;
        if self.log_y {
            let positive: Vec<f64> = values().filter(|v| *v > 0.0).collect();
            if positive.is_empty() {
                return no_data(&chart_area);
            }
            let lo = positive.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = positive.iter().copied().fold(0.0, f64::max);
            // Slightly below the power of ten, so rounding cannot drop its tick label.
            let lo = 10f64.powf(lo.log10().floor()) * 0.999;
            let mut hi = 10f64.powf((hi * 1.05).log10().ceil());
            if hi <= lo {
                hi = lo * 10.0;
            }
            self.draw_chart(&chart_area, x_range, (lo..hi).log_scale(), &|v| {
                tick_label(*v)
            })
        } else {
            if values().next().is_none() {
                return no_data(&chart_area);
            }
            let max = nice_ceiling(values().fold(0.0, f64::max) * 1.05);
            self.draw_chart(&chart_area, x_range, 0.0..max, &|v| tick_label(*v))
        }
    }

    /// Lines with at least one value: a series that was not measured (e.g. the database in a
    /// run without one) gets neither a curve nor a legend entry.
    fn lines_with_data(&self) -> impl Iterator<Item = &Line> {
        self.lines
            .iter()
            .filter(|l| l.points.iter().any(|p| p.1.is_some()))
    }

    /// Title, then one legend entry per line, wrapping onto further rows when needed.
    fn draw_caption<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        width: u32,
    ) -> Result<u32, PlotError> {
        let title_font = fonts::bold(17.0);
        let legend_font = fonts::regular(15.0);
        text(
            area,
            &self.title,
            (8, 4),
            title_font.clone(),
            palette::TEXT,
            HPos::Left,
        )?;
        let mut x = 8 + text_width(area, &self.title, &title_font) as i32 + 28;
        let mut y = 4;
        for line in self.lines_with_data() {
            let entry = 30 + text_width(area, &line.label, &legend_font) as i32 + 22;
            if x + entry > width as i32 - RIGHT_MARGIN as i32 {
                x = Y_LABEL_AREA as i32;
                y += CAPTION_ROW as i32 - 4;
            }
            legend_sample(area, (x, y + 9), line.colour, line.dashed)?;
            text(
                area,
                &line.label,
                (x + 30, y + 1),
                legend_font.clone(),
                palette::TEXT,
                HPos::Left,
            )?;
            x += entry;
        }
        Ok(y as u32 + CAPTION_ROW)
    }

    fn draw_chart<DB, Y>(
        &self,
        area: &Area<DB>,
        x: std::ops::Range<f64>,
        y: Y,
        y_format: &dyn Fn(&f64) -> String,
    ) -> Result<(), PlotError>
    where
        DB: DrawingBackend,
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let x_format = |v: &f64| tick_label(*v);
        let mut chart = ChartBuilder::on(area)
            .margin_right(RIGHT_MARGIN)
            .margin_top(6)
            .x_label_area_size(if self.x_desc.is_some() { 52 } else { 28 })
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(x, y)
            .map_err(draw_err)?;
        let mut mesh = chart.configure_mesh();
        mesh.x_labels(12)
            .y_labels(6)
            .x_label_formatter(&x_format)
            .y_label_formatter(y_format)
            .y_desc(self.y_desc.as_str())
            .label_style(fonts::regular(13.0).color(&palette::TEXT))
            .axis_desc_style(fonts::regular(14.0).color(&palette::TEXT))
            .axis_style(palette::AXIS)
            .max_light_lines(1)
            .light_line_style(palette::GRID)
            .bold_line_style(palette::GRID_BOLD);
        if let Some(desc) = &self.x_desc {
            mesh.x_desc(desc.as_str());
        }
        mesh.draw().map_err(draw_err)?;
        for line in self.lines_with_data() {
            let style = line.colour.stroke_width(2);
            for run in segments(&line.points) {
                if let [only] = run.as_slice() {
                    chart
                        .draw_series(std::iter::once(Circle::new(*only, 2, line.colour.filled())))
                        .map_err(draw_err)?;
                } else if line.dashed {
                    chart
                        .draw_series(DashedLineSeries::new(run, 8, 5, style))
                        .map_err(draw_err)?;
                } else {
                    chart
                        .draw_series(LineSeries::new(run, style))
                        .map_err(draw_err)?;
                }
            }
        }
        Ok(())
    }
}

/// The stretches of consecutive points that have a value.
fn segments(points: &[(f64, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (t, v) in points {
        match v {
            Some(v) => current.push((*t, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn legend_sample<DB: DrawingBackend>(
    area: &Area<DB>,
    (x, y): (i32, i32),
    colour: RGBColor,
    dashed: bool,
) -> Result<(), PlotError> {
    let style = colour.stroke_width(3);
    if dashed {
        for start in [x, x + 10, x + 20] {
            area.draw(&PathElement::new(vec![(start, y), (start + 6, y)], style))
                .map_err(draw_err)?;
        }
        Ok(())
    } else {
        area.draw(&PathElement::new(vec![(x, y), (x + 24, y)], style))
            .map_err(draw_err)
    }
}

fn no_data<DB: DrawingBackend>(area: &Area<DB>) -> Result<(), PlotError> {
    let (w, h) = area.dim_in_pixel();
    text(
        area,
        "no data in this run",
        (w as i32 / 2, h as i32 / 2 - 8),
        fonts::regular(15.0),
        palette::MUTED,
        HPos::Center,
    )
}

/// A column of `label  value` lines under a heading, for the summary box.
pub(crate) struct FigureColumn {
    pub heading: String,
    pub rows: Vec<(String, String)>,
}

pub(crate) const FIGURE_ROW: u32 = 22;

/// The height a figure box needs for `columns`.
pub(crate) fn figure_box_height(columns: &[FigureColumn]) -> u32 {
    let rows = columns.iter().map(|c| c.rows.len()).max().unwrap_or(0) as u32;
    16 + 26 + rows * FIGURE_ROW + 10
}

/// A framed box with the columns side by side: labels muted, values bold.
pub(crate) fn figure_box<DB: DrawingBackend>(
    area: &Area<DB>,
    columns: &[FigureColumn],
) -> Result<(), PlotError> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Rectangle::new(
        [(0, 0), (w as i32 - 1, h as i32 - 1)],
        palette::BOX_FILL.filled(),
    ))
    .map_err(draw_err)?;
    area.draw(&Rectangle::new(
        [(0, 0), (w as i32 - 1, h as i32 - 1)],
        palette::BOX_EDGE.stroke_width(1),
    ))
    .map_err(draw_err)?;
    let column_width = w / columns.len().max(1) as u32;
    let label_font = fonts::regular(14.0);
    let value_font = fonts::bold(14.0);
    for (i, column) in columns.iter().enumerate() {
        let x0 = i as u32 * column_width + 14;
        let cell = region(area, x0, 0, column_width.saturating_sub(20), h);
        text(
            &cell,
            &column.heading,
            (0, 12),
            fonts::bold(15.0),
            palette::TEXT,
            HPos::Left,
        )?;
        let label_width = column
            .rows
            .iter()
            .map(|(label, _)| text_width(&cell, label, &label_font))
            .max()
            .unwrap_or(0)
            + 10;
        let value_room = column_width.saturating_sub(20 + label_width);
        for (row, (label, value)) in column.rows.iter().enumerate() {
            let y = 16 + 26 + row as i32 * FIGURE_ROW as i32;
            text(
                &cell,
                label,
                (0, y),
                label_font.clone(),
                palette::MUTED,
                HPos::Left,
            )?;
            let value = fit(&cell, value, &value_font, value_room);
            text(
                &cell,
                &value,
                (label_width as i32, y),
                value_font.clone(),
                palette::TEXT,
                HPos::Left,
            )?;
        }
    }
    Ok(())
}

/// One bar of a bar chart: stacked parts (value, colour), or none when not measured.
pub(crate) struct Bar {
    pub label: String,
    pub parts: Vec<(f64, RGBColor)>,
    pub value_text: String,
}

/// A titled horizontal bar chart: one row per bar, names on the left, values at the bar ends,
/// the scale starting at zero.
pub(crate) struct BarChart {
    pub title: String,
    pub bars: Vec<Bar>,
    /// Width of the name column, shared by all charts of a picture so the bars line up.
    pub label_width: u32,
}

pub(crate) const BAR_ROW: u32 = 30;
pub(crate) const BAR_CHART_CHROME: u32 = 30 + 36;

impl BarChart {
    pub(crate) fn draw<DB: DrawingBackend>(&self, area: &Area<DB>) -> Result<(), PlotError> {
        let (w, h) = area.dim_in_pixel();
        text(
            area,
            &self.title,
            (8, 4),
            fonts::bold(16.0),
            palette::TEXT,
            HPos::Left,
        )?;
        let top = 30i32;
        let bottom = h as i32 - 36;
        let x0 = self.label_width as i32;
        let x1 = w as i32 - 120;
        if x1 <= x0 + 10 || bottom <= top || self.bars.is_empty() {
            return Ok(());
        }
        let max = nice_ceiling(
            self.bars
                .iter()
                .map(|b| b.parts.iter().map(|p| p.0).sum::<f64>())
                .fold(0.0, f64::max),
        );
        let scale = |v: f64| x0 + ((x1 - x0) as f64 * v / max).round() as i32;
        let step = tick_step(max, 5);
        let tick_font = fonts::regular(13.0);
        let mut tick = 0.0;
        while tick <= max + step * 1e-6 {
            let x = scale(tick);
            area.draw(&PathElement::new(
                vec![(x, top), (x, bottom)],
                palette::GRID.stroke_width(1),
            ))
            .map_err(draw_err)?;
            text(
                area,
                &tick_label(tick),
                (x, bottom + 6),
                tick_font.clone(),
                palette::TEXT,
                HPos::Center,
            )?;
            tick += step;
        }
        area.draw(&PathElement::new(
            vec![(x0, top), (x0, bottom)],
            palette::AXIS.stroke_width(1),
        ))
        .map_err(draw_err)?;
        let row = (bottom - top) as f64 / self.bars.len() as f64;
        let thickness = (row * 0.62).clamp(2.0, 26.0);
        let name_font = fonts::regular(14.0);
        let value_font = fonts::bold(14.0);
        for (i, bar) in self.bars.iter().enumerate() {
            let centre = top as f64 + row * (i as f64 + 0.5);
            let y0 = (centre - thickness / 2.0).round() as i32;
            let y1 = (centre + thickness / 2.0).round() as i32;
            let name = fit(
                area,
                &bar.label,
                &name_font,
                self.label_width.saturating_sub(14),
            );
            text(
                area,
                &name,
                (x0 - 8, centre as i32 - 8),
                name_font.clone(),
                palette::TEXT,
                HPos::Right,
            )?;
            let mut start = 0.0;
            for (value, colour) in &bar.parts {
                let (a, b) = (scale(start), scale(start + value));
                if b > a {
                    area.draw(&Rectangle::new([(a, y0), (b, y1)], colour.filled()))
                        .map_err(draw_err)?;
                }
                start += value;
            }
            let colour = if bar.parts.is_empty() {
                palette::MUTED
            } else {
                palette::TEXT
            };
            text(
                area,
                &bar.value_text,
                (scale(start) + 6, centre as i32 - 8),
                value_font.clone(),
                colour,
                HPos::Left,
            )?;
        }
        Ok(())
    }
}

/// `1,234.5 MB` for a measured figure; `not measured` when missing.
pub(crate) fn figure(value: Option<f64>, decimals: usize, unit: &str) -> String {
    match value {
        Some(v) => format!("{}{unit}", grouped(v, decimals)),
        None => "not measured".to_string(),
    }
}
