//! Huge text-dense test images: a screenshot tiled into one page. Shared by
//! `tests/ocr.rs` and `examples/ocr_delay.rs` (included with `#[path]`).

/// `columns` x `rows` copies of the screenshot `tile` (encoded bytes) as one gray
/// image encoded as `format`.
pub fn tiled(tile: &[u8], columns: u32, rows: u32, format: image::ImageFormat) -> Vec<u8> {
    let tile = image::load_from_memory(tile)
        .expect("the tile decodes")
        .into_luma8();
    let (w, h) = tile.dimensions();
    let mut page = image::GrayImage::new(w * columns, h * rows);
    for x in 0..columns {
        for y in 0..rows {
            image::imageops::replace(&mut page, &tile, i64::from(x * w), i64::from(y * h));
        }
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    page.write_to(&mut bytes, format).expect("the page encodes");
    bytes.into_inner()
}
