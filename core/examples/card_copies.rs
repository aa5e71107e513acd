//! Writes the square card copies of one photo at several sizes and JPEG qualities, for
//! measuring them against a reference (the storefront part of `docs/benchmarks.md` says how):
//!
//! ```text
//! cargo run -p sentra-core --example card_copies -- PHOTO OUT_DIR [EDGE:QUALITY ...]
//! ```
//!
//! Each copy is `OUT_DIR/card-EDGE-qQUALITY.jpg`, made by the same code as the storefront's
//! card copy ([`sentra_core::photos::copies::square_copy`]); its size is printed.

use sentra_core::photos::copies::{CARD_EDGE, CARD_QUALITY, square_copy};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(photo), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: card_copies PHOTO OUT_DIR [EDGE:QUALITY ...]".into());
    };
    let mut wanted: Vec<(u32, u8)> = Vec::new();
    for arg in args {
        let (edge, quality) = arg.split_once(':').ok_or("EDGE:QUALITY, e.g. 240:40")?;
        wanted.push((edge.parse()?, quality.parse()?));
    }
    if wanted.is_empty() {
        wanted.push((CARD_EDGE, CARD_QUALITY));
    }
    let data = std::fs::read(&photo)?;
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    for (edge, quality) in wanted {
        let copy = square_copy(&data, edge, quality)?;
        let file = out.join(format!("card-{edge}-q{quality}.jpg"));
        std::fs::write(&file, &copy.bytes)?;
        println!(
            "{edge} px q{quality}: {} B  {}",
            copy.bytes.len(),
            file.display()
        );
    }
    Ok(())
}
