//! Helpers shared by the integration tests: fixture paths, copying run folders into temporary
//! directories, and decoding the PNGs that `plot` writes so their pixels can be checked.

use std::ops::Range;
use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Real Locust output kept in the repository (`reference/<sub>`).
pub fn reference(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../reference")
        .join(sub)
}

/// Copies the folder tree `from` into `to` (created).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file name in `dir` (to see that nothing temporary was left behind).
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A decoded 8-bit RGB image.
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

pub fn decode(path: &Path) -> Image {
    let bytes = std::fs::read(path).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", path.display()));
    let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut rgb).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb, "plot writes RGB PNGs");
    rgb.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgb,
    }
}

impl Image {
    fn pixels(&self, rows: Range<u32>) -> impl Iterator<Item = (u8, u8, u8)> + '_ {
        let row = self.width as usize * 3;
        self.rgb[rows.start as usize * row..rows.end as usize * row]
            .chunks_exact(3)
            .map(|p| (p[0], p[1], p[2]))
    }

    /// Share of the pixels in `rows` that are not the white background.
    pub fn ink(&self, rows: Range<u32>) -> f64 {
        let total = (rows.end - rows.start) as f64 * self.width as f64;
        let inked = self.pixels(rows).filter(|p| *p != (255, 255, 255)).count();
        inked as f64 / total
    }

    /// Pixels of exactly `colour` in `rows`.
    pub fn count(&self, rows: Range<u32>, colour: (u8, u8, u8)) -> usize {
        self.pixels(rows).filter(|p| *p == colour).count()
    }
}
