//! Colours: fixed ones for the series of a run graph, and generated ones for any number of
//! backends (golden-angle hues, so neighbours differ and the list never runs out).

use plotters::style::RGBColor;

pub(crate) const TEXT: RGBColor = RGBColor(30, 30, 30);
pub(crate) const MUTED: RGBColor = RGBColor(95, 95, 95);
pub(crate) const GRID: RGBColor = RGBColor(240, 240, 240);
pub(crate) const GRID_BOLD: RGBColor = RGBColor(215, 215, 215);
pub(crate) const AXIS: RGBColor = RGBColor(90, 90, 90);
pub(crate) const BOX_FILL: RGBColor = RGBColor(246, 246, 248);
pub(crate) const BOX_EDGE: RGBColor = RGBColor(200, 200, 205);

pub(crate) const WARNING_FILL: RGBColor = RGBColor(183, 28, 28);
pub(crate) const WARNING_TEXT: RGBColor = RGBColor(255, 255, 255);
pub(crate) const NOTE_FILL: RGBColor = RGBColor(255, 243, 205);
pub(crate) const NOTE_EDGE: RGBColor = RGBColor(230, 190, 90);
pub(crate) const NOTE_TEXT: RGBColor = RGBColor(102, 77, 3);

pub(crate) const USERS: RGBColor = RGBColor(106, 61, 154);
pub(crate) const REQUESTS: RGBColor = RGBColor(31, 119, 180);
pub(crate) const FAILURES: RGBColor = RGBColor(214, 39, 40);
pub(crate) const P50: RGBColor = RGBColor(44, 160, 44);
pub(crate) const P95: RGBColor = RGBColor(255, 127, 14);
pub(crate) const P99: RGBColor = RGBColor(214, 39, 40);
pub(crate) const BACKEND: RGBColor = RGBColor(31, 119, 180);
pub(crate) const DATABASE: RGBColor = RGBColor(140, 86, 75);
pub(crate) const LOADGEN: RGBColor = RGBColor(127, 127, 127);

/// `n` distinct colours, the same for the same `n` every time.
pub(crate) fn distinct(n: usize) -> Vec<RGBColor> {
    (0..n)
        .map(|i| {
            let hue = (i as f64 * 137.507_764 + 210.0) % 360.0;
            // Golden-angle hues come closest for indices 5, 8 and 13 apart; cycling three
            // lightness levels gives each such pair different lightness as well.
            let lightness = [0.40, 0.52, 0.33][i % 3];
            hsl(hue, 0.72, lightness)
        })
        .collect()
}

/// `colour` mixed with white: `amount` 0 = unchanged, 1 = white.
pub(crate) fn lighter(colour: RGBColor, amount: f64) -> RGBColor {
    let mix = |c: u8| (c as f64 + (255.0 - c as f64) * amount).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

fn hsl(hue: f64, saturation: f64, lightness: f64) -> RGBColor {
    let c = (1.0 - (2.0 * lightness - 1.0).abs()) * saturation;
    let h = hue / 60.0;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = lightness - c / 2.0;
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    RGBColor(byte(r), byte(g), byte(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_backends_get_distinct_colours() {
        let colours = distinct(40);
        for (i, a) in colours.iter().enumerate() {
            for b in &colours[i + 1..] {
                let distance = (a.0 as i32 - b.0 as i32).abs()
                    + (a.1 as i32 - b.1 as i32).abs()
                    + (a.2 as i32 - b.2 as i32).abs();
                assert!(distance > 6, "{a:?} and {b:?} are too close");
            }
        }
    }
}
