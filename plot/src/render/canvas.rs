//! Turning a picture into PNG or SVG bytes, and writing files so that a failure never leaves
//! a half-written picture behind (temporary file in the same folder, then rename).

use std::io::Write;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};

use super::fonts;
use crate::error::{PlotError, draw_err};

/// Something that can draw itself on any plotters backend.
pub(crate) trait Picture {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

/// Renders `picture` into an 8-bit RGB PNG.
pub(crate) fn png<P: Picture>(picture: &P) -> Result<Vec<u8>, PlotError> {
    fonts::register()?;
    let (width, height) = picture.size();
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        picture.draw(&root)?;
        root.present().map_err(draw_err)?;
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| PlotError::Draw(format!("PNG encoding: {e}")))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| PlotError::Draw(format!("PNG encoding: {e}")))?;
    writer
        .finish()
        .map_err(|e| PlotError::Draw(format!("PNG encoding: {e}")))?;
    Ok(bytes)
}

/// Renders `picture` as SVG text.
pub(crate) fn svg<P: Picture>(picture: &P) -> Result<String, PlotError> {
    fonts::register()?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, picture.size()).into_drawing_area();
        picture.draw(&root)?;
        root.present().map_err(draw_err)?;
    }
    Ok(text)
}

/// Writes `bytes` to `path` atomically: readers see the old file or the new one, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| PlotError::invalid(path, "not a file name"))?
        .to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&temp, path));
    written.map_err(|source| {
        // The temporary file may not exist (create failed): nothing to clean up then.
        let _ = std::fs::remove_file(&temp);
        PlotError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}
