//! The demo's product photos: ten made-up pictures, one per kind of product (denim, a jacket,
//! a striped sarong, batik, sugar…), 1280 × 960 JPEGs with texture and noise so that they
//! weigh what a real photo does (about 0.5 MB; the display copies the phones make and upload are
//! 1280 px JPEGs like a camera photo's). Drawn at the display size so the pipeline has no
//! display resize to do, drawn once per machine and kept in the system's temporary directory;
//! the demo's phones take each in through the real photo pipeline once and share it between
//! the products that look alike.

use std::path::{Path, PathBuf};

type DemoResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// How many pictures (indexes used by `people::GARMENTS` and `people::SUGARS`).
pub const COUNT: usize = 10;

/// Base colour and pattern of each picture.
const LOOKS: [([u8; 3], Pattern); COUNT] = [
    ([42, 72, 140], Pattern::Twill),   // jeans
    ([70, 100, 160], Pattern::Twill),  // jacket
    ([150, 40, 60], Pattern::Stripes), // sarung goyor
    ([60, 90, 170], Pattern::Twill),   // skirt
    ([50, 80, 120], Pattern::Twill),   // bag
    ([120, 70, 30], Pattern::Batik),   // batik shirt
    ([90, 110, 80], Pattern::Stripes), // gamis
    ([190, 140, 60], Pattern::Grain),  // crystal sugar
    ([150, 100, 45], Pattern::Grain),  // palm sugar
    ([120, 75, 35], Pattern::Blocks),  // moulded sugar
];

#[derive(Clone, Copy)]
enum Pattern {
    Twill,
    Stripes,
    Batik,
    Grain,
    Blocks,
}

/// A small deterministic noise (xorshift), so the pictures are the same every run.
fn noise(x: u32, y: u32, seed: u32) -> i32 {
    let mut v = x.wrapping_mul(374_761_393)
        ^ y.wrapping_mul(668_265_263)
        ^ seed.wrapping_mul(2_246_822_519);
    v ^= v >> 13;
    v = v.wrapping_mul(1_274_126_177);
    v ^= v >> 16;
    (v % 41) as i32 - 20
}

fn draw(index: usize) -> image::RgbImage {
    let (colour, pattern) = LOOKS[index];
    image::RgbImage::from_fn(1280, 960, |x, y| {
        let shade = match pattern {
            Pattern::Twill => ((x + 2 * y) % 9) as i32 * 4 - 16,
            Pattern::Stripes => {
                if (x / 40 + y / 200) % 3 == 0 {
                    40
                } else {
                    -10
                }
            }
            Pattern::Batik => {
                let (cx, cy) = ((x % 160) as i32 - 80, (y % 160) as i32 - 80);
                if (cx * cx + cy * cy) % 1500 < 400 {
                    60
                } else {
                    -20
                }
            }
            Pattern::Grain => ((x / 6 + y / 6) % 5) as i32 * 8 - 16,
            Pattern::Blocks => {
                if (x / 300 + y / 300) % 2 == 0 {
                    25
                } else {
                    -15
                }
            }
        };
        // Light falling from the top left, as on a table by a window.
        let light = 30 - ((x + y) / 75) as i32;
        let n = noise(x, y, index as u32 + 1);
        let channel = |c: u8| (i32::from(c) + shade + light + n).clamp(0, 255) as u8;
        image::Rgb([channel(colour[0]), channel(colour[1]), channel(colour[2])])
    })
}

/// The pictures' files, drawn into `cache` the first time.
pub fn pictures(cache: &Path) -> DemoResult<Vec<PathBuf>> {
    std::fs::create_dir_all(cache)?;
    let mut paths = Vec::new();
    for index in 0..COUNT {
        let path = cache.join(format!("demo-photo-{index}.jpg"));
        if !path.exists() {
            let image = draw(index);
            let partial = cache.join(format!(".demo-photo-{index}.{}.tmp", std::process::id()));
            let mut file = std::io::BufWriter::new(std::fs::File::create(&partial)?);
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut file, 88)
                .encode_image(&image)?;
            drop(file);
            std::fs::rename(&partial, &path)?;
        }
        paths.push(path);
    }
    Ok(paths)
}
