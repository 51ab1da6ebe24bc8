//! The fonts compiled into the binary (DejaVu Sans, Bitstream Vera licence, see
//! `assets/DejaVu-LICENSE.txt`), so pictures render the same on machines without system fonts.

use std::sync::OnceLock;

use plotters::style::{FontDesc, FontFamily, FontStyle, IntoFont, register_font};

use crate::error::PlotError;

static REGULAR: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/DejaVuSans-Bold.ttf");

/// The one family every text uses; plotters' own labels default to it too.
const FAMILY: &str = "sans-serif";

static REGISTERED: OnceLock<Result<(), &'static str>> = OnceLock::new();

/// Registers the embedded fonts with plotters (once per process).
pub(crate) fn register() -> Result<(), PlotError> {
    let result = REGISTERED.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, REGULAR).map_err(|_| "DejaVuSans.ttf")?;
        register_font(FAMILY, FontStyle::Bold, BOLD).map_err(|_| "DejaVuSans-Bold.ttf")
    });
    result.map_err(PlotError::Font)
}

pub(crate) fn regular(size: f64) -> FontDesc<'static> {
    (FontFamily::SansSerif, size).into_font()
}

pub(crate) fn bold(size: f64) -> FontDesc<'static> {
    (FontFamily::SansSerif, size, FontStyle::Bold).into_font()
}
