//! Pictures: the graph of one run and the comparison of backends, drawn with plotters on any
//! backend (PNG or SVG) with the embedded font.

pub(crate) mod canvas;
pub(crate) mod comparison;
mod fonts;
mod palette;
pub(crate) mod run_graph;
mod widgets;

pub(crate) use palette::distinct as distinct_colours;
