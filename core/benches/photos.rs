//! Benchmark: `photos::process_file` against libvips' `vipsthumbnail`, side by side.
//!
//! Usage (the photo comes from `scripts/make-test-photo`):
//!
//! ```text
//! scripts/make-test-photo
//! cargo bench -p sentra-core --bench photos -- "$PWD/target/testphoto/phone-12mp-rot6-gps.jpg" [pairs] [--json FILE]
//! ```
//!
//! `scripts/bench photo` runs it with `--json` and writes the report.
//!
//! Each round runs, in alternating order, three fresh child processes sets:
//! - ours: this binary in `--child` mode, which calls `process_file` and writes
//!   the display image and the thumbnail;
//! - vips A: `vipsthumbnail` 1280 px Q=80 stripped, then 320 px, both from the source;
//! - vips B: `vipsthumbnail` 1280 px Q=80 stripped, then 320 px from that 1280 px output
//!   (the same shape of work as ours: the thumbnail is made from the display image).
//!
//! Wall time covers process start to exit; peak RSS is the child's `ru_maxrss`
//! from `wait4`. For the vips runs times are summed and RSS is the max of the two.
//!
//! Then, per input (#17: "≤ 64 MB peak for any accepted input up to the pixel cap"), the same
//! child runs on inputs made here: the one-colour 7000×7000 16-bit and 8-bit RGBA PNGs and the
//! one-colour progressive 7000×7000 JPEG of the issue, and, made from the phone photo with vips,
//! a progressive 12 MP JPEG, a 12 MP lossy WebP, a 50 MP JPEG and a 50 MP lossy WebP; each
//! beside `vipsthumbnail`
//! making the 1280 px image from the same file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark that cannot run has nothing to report.
#![allow(unsafe_code)] // wait4(2): the only way to read a finished child's peak RSS.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sentra_core::photos::{Limits, process_file};

struct Run {
    ms: f64,
    /// User + system CPU time of the child.
    cpu_ms: f64,
    rss_kb: i64,
}

// The child is reaped with libc::wait4 (to get its rusage), not Child::wait.
#[allow(clippy::zombie_processes)]
fn run_child(cmd: &mut Command) -> Run {
    let start = Instant::now();
    let child = cmd.spawn().expect("spawn child");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain FFI call with valid out-pointers; the child is ours.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(r, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child failed: {cmd:?}"
    );
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    Run {
        ms,
        cpu_ms: tv(usage.ru_utime) + tv(usage.ru_stime),
        rss_kb: usage.ru_maxrss,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// A one-colour RGB image, handed to the JPEG encoder row by row (no full bitmap in memory).
struct Flat {
    w: u16,
    h: u16,
    rgb: [u8; 3],
}

impl jpeg_encoder::ImageBuffer for Flat {
    fn get_jpeg_color_type(&self) -> jpeg_encoder::JpegColorType {
        jpeg_encoder::JpegColorType::Ycbcr
    }
    fn width(&self) -> u16 {
        self.w
    }
    fn height(&self) -> u16 {
        self.h
    }
    fn fill_buffers(&self, _y: u16, buffers: &mut [Vec<u8>; 4]) {
        let (y, cb, cr) = jpeg_encoder::rgb_to_ycbcr(self.rgb[0], self.rgb[1], self.rgb[2]);
        for _ in 0..self.w {
            buffers[0].push(y);
            buffers[1].push(cb);
            buffers[2].push(cr);
        }
    }
}

/// A one-colour RGBA PNG of `side`², written row by row.
fn flat_png(path: &Path, side: u32, sixteen_bit: bool) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut enc = png::Encoder::new(file, side, side);
    enc.set_color(png::ColorType::Rgba);
    let (depth, px): (png::BitDepth, &[u8]) = if sixteen_bit {
        (
            png::BitDepth::Sixteen,
            &[0xC8, 0x00, 0xB4, 0x00, 0x96, 0x00, 0xFF, 0xFF],
        )
    } else {
        (png::BitDepth::Eight, &[200, 180, 150, 255])
    };
    enc.set_depth(depth);
    let mut w = enc
        .write_header()
        .expect("png header")
        .into_stream_writer()
        .expect("png");
    let row: Vec<u8> = px
        .iter()
        .copied()
        .cycle()
        .take(px.len() * side as usize)
        .collect();
    for _ in 0..side {
        std::io::Write::write_all(&mut w, &row).expect("png row");
    }
    w.finish().expect("png finish");
}

/// Builds the per-input set in `dir`: (name, path).
fn inputs(dir: &Path, photo: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut v = Vec::new();
    let p = dir.join("flat-7000-rgba16.png");
    flat_png(&p, 7000, true);
    v.push(("one-colour 7000² 16-bit RGBA PNG", p));
    let p = dir.join("flat-7000-rgba8.png");
    flat_png(&p, 7000, false);
    v.push(("one-colour 7000² 8-bit RGBA PNG", p));
    let p = dir.join("flat-7000-progressive.jpg");
    let mut enc = jpeg_encoder::Encoder::new_file(&p, 90).expect("create");
    enc.set_progressive(true);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    enc.set_optimized_huffman_tables(true);
    enc.encode_image(Flat {
        w: 7000,
        h: 7000,
        rgb: [200, 180, 150],
    })
    .expect("jpeg");
    v.push(("one-colour 7000² progressive JPEG", p));
    v.push(("12 MP phone JPEG (baseline)", photo.to_path_buf()));
    let vips = |args: &[&str]| {
        let ok = Command::new("vips")
            .args(args)
            .status()
            .map(|s| s.success());
        assert!(matches!(ok, Ok(true)), "vips {args:?}");
    };
    let src = photo.display().to_string();
    let p = dir.join("phone-progressive.jpg");
    vips(&["copy", &src, &format!("{}[Q=90,interlace]", p.display())]);
    v.push(("12 MP progressive JPEG", p));
    let p = dir.join("phone.webp");
    vips(&["copy", &src, &format!("{}[Q=80]", p.display())]);
    v.push(("12 MP lossy WebP", p));
    let p = dir.join("phone-50mp.jpg");
    vips(&["resize", &src, &format!("{}[Q=90]", p.display()), "2.04"]);
    v.push(("50 MP baseline JPEG", p));
    let p = dir.join("phone-50mp.webp");
    vips(&["resize", &src, &format!("{}[Q=80]", p.display()), "2.04"]);
    v.push(("50 MP lossy WebP", p));
    v
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--make-inputs") {
        // In a child of its own: making them grows a process to hundreds of MB, and Linux
        // carries a parent's peak RSS into every child it forks afterwards.
        let list = inputs(Path::new(&args[2]), Path::new(&args[3]));
        let lines: Vec<String> = list
            .iter()
            .map(|(name, path)| format!("{name}\t{}", path.display()))
            .collect();
        std::fs::write(Path::new(&args[2]).join("inputs.tsv"), lines.join("\n")).expect("write");
        return;
    }
    if args.get(1).map(String::as_str) == Some("--child") {
        let photo = Path::new(&args[2]);
        let out = Path::new(&args[3]);
        let p = process_file(photo, &Limits::default()).expect("process_file");
        std::fs::write(out.join("ours-display.jpg"), &p.display.bytes).expect("write");
        std::fs::write(out.join("ours-thumb.jpg"), &p.thumbnail.bytes).expect("write");
        return;
    }
    // `cargo bench` passes `--bench`; the rest are ours (`--json FILE` also writes the figures
    // as JSON, which `scripts/bench` turns into its report).
    let json_out = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let args: Vec<&String> = args
        .iter()
        .skip(1)
        .filter(|a| *a != "--bench")
        .filter(|a| *a != "--json" && Some(PathBuf::from(a)) != json_out)
        .collect();
    let photo = PathBuf::from(args.first().expect("usage: photos PHOTO [pairs]"));
    let pairs: usize = args.get(1).map_or(11, |s| s.parse().expect("pairs"));
    let out = std::env::temp_dir().join(format!("photo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("mkdir");
    let exe = std::env::current_exe().expect("current_exe");
    let o = |n: &str| out.join(n);
    let vips = |src: &Path, size: u32, dst: &Path| {
        let mut c = Command::new("vipsthumbnail");
        c.arg(src)
            .arg("-s")
            .arg(size.to_string())
            .arg("-o")
            .arg(format!("{}[Q=80,strip]", dst.display()));
        c
    };

    let (mut ours, mut va, mut vb) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..pairs {
        let run_ours = |v: &mut Vec<Run>| {
            let mut c = Command::new(&exe);
            c.arg("--child").arg(&photo).arg(&out);
            v.push(run_child(&mut c));
        };
        let run_vips_a = |v: &mut Vec<Run>| {
            let a = run_child(&mut vips(&photo, 1280, &o("va-1280.jpg")));
            let b = run_child(&mut vips(&photo, 320, &o("va-320.jpg")));
            v.push(Run {
                ms: a.ms + b.ms,
                cpu_ms: a.cpu_ms + b.cpu_ms,
                rss_kb: a.rss_kb.max(b.rss_kb),
            });
        };
        let run_vips_b = |v: &mut Vec<Run>| {
            let a = run_child(&mut vips(&photo, 1280, &o("vb-1280.jpg")));
            let b = run_child(&mut vips(&o("vb-1280.jpg"), 320, &o("vb-320.jpg")));
            v.push(Run {
                ms: a.ms + b.ms,
                cpu_ms: a.cpu_ms + b.cpu_ms,
                rss_kb: a.rss_kb.max(b.rss_kb),
            });
        };
        if i % 2 == 0 {
            run_ours(&mut ours);
            run_vips_a(&mut va);
            run_vips_b(&mut vb);
        } else {
            run_vips_b(&mut vb);
            run_vips_a(&mut va);
            run_ours(&mut ours);
        }
    }

    let stat = |v: &[Run]| {
        (
            median(v.iter().map(|r| r.ms).collect()),
            median(v.iter().map(|r| r.rss_kb as f64 / 1024.0).collect()),
        )
    };
    let cpu = |v: &[Run]| median(v.iter().map(|r| r.cpu_ms).collect());
    let (ot, om) = stat(&ours);
    let (at, am) = stat(&va);
    let (bt, bm) = stat(&vb);
    // Each round runs ours and vips A back to back, so their ratio in that round shares the
    // machine's load of the moment: the spread of these is the spread of the ratio.
    let round_ratios = |key: fn(&Run) -> f64| -> Vec<f64> {
        ours.iter().zip(&va).map(|(o, a)| key(o) / key(a)).collect()
    };
    let time_ratios = round_ratios(|r| r.ms);
    let cpu_ratios = round_ratios(|r| r.cpu_ms);
    println!(
        "photo: {} ({} bytes), rounds: {pairs}",
        photo.display(),
        size(&photo)
    );
    println!(
        "{:<44} {:>9} {:>10} {:>22}",
        "", "median ms", "peak RSS", "output bytes"
    );
    println!(
        "{:<44} {:>9.1} {:>7.1} MB {:>10} + {:>9}",
        "ours (process_file, 1280 + 320 from 1280)",
        ot,
        om,
        size(&o("ours-display.jpg")),
        size(&o("ours-thumb.jpg"))
    );
    println!(
        "{:<44} {:>9.1} {:>7.1} MB {:>10} + {:>9}",
        "vips A (1280 + 320, both from source)",
        at,
        am,
        size(&o("va-1280.jpg")),
        size(&o("va-320.jpg"))
    );
    println!(
        "{:<44} {:>9.1} {:>7.1} MB {:>10} + {:>9}",
        "vips B (1280 + 320 from 1280)",
        bt,
        bm,
        size(&o("vb-1280.jpg")),
        size(&o("vb-320.jpg"))
    );
    println!(
        "ratios ours/vips A: time {:.2}, RSS {:.2}; ours/vips B: time {:.2}, RSS {:.2}",
        ot / at,
        om / am,
        ot / bt,
        om / bm
    );
    println!(
        "CPU ms: ours {:.1}, vips A {:.1}, vips B {:.1}; per-round ratios to vips A: time {:?}, CPU {:?}",
        cpu(&ours),
        cpu(&va),
        cpu(&vb),
        time_ratios
            .iter()
            .map(|r| (r * 1000.0).round() / 1000.0)
            .collect::<Vec<_>>(),
        cpu_ratios
            .iter()
            .map(|r| (r * 1000.0).round() / 1000.0)
            .collect::<Vec<_>>()
    );
    println!("outputs kept in {}", out.display());

    // Per input: peak memory (and time) of ours and of vipsthumbnail's 1280 px image.
    let rounds = pairs.clamp(1, 3);
    let mut per_input = Vec::new();
    println!("per input, medians of {rounds} runs:");
    // Outputs go to a directory of their own: the 12 MP photo's stay for the byte counts.
    let dir = out.join("inputs");
    std::fs::create_dir_all(&dir).expect("mkdir");
    run_child(
        Command::new(&exe)
            .arg("--make-inputs")
            .arg(&dir)
            .arg(&photo),
    );
    let list = std::fs::read_to_string(dir.join("inputs.tsv")).expect("inputs.tsv");
    for (name, path) in list.lines().filter_map(|l| l.split_once('\t')) {
        let path = PathBuf::from(path);
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let mut c = Command::new(&exe);
            c.arg("--child").arg(&path).arg(&dir);
            ours.push(run_child(&mut c));
            theirs.push(run_child(&mut vips(
                &path,
                1280,
                &dir.join("vips-1280.jpg"),
            )));
        }
        let (ot, om) = stat(&ours);
        let (vt, vm) = stat(&theirs);
        let (oc, vc) = (cpu(&ours), cpu(&theirs));
        println!(
            "{name:<44} {:>11} bytes  ours {ot:>7.1} ms {oc:>7.1} ms CPU {om:>6.1} MB   vips {vt:>7.1} ms {vc:>7.1} ms CPU {vm:>6.1} MB",
            size(&path)
        );
        per_input.push(serde_json::json!({
            "input": name,
            "bytes": size(&path),
            "sentra_ms": ot,
            "sentra_cpu_ms": oc,
            "sentra_peak_rss_mb": om,
            "vips_ms": vt,
            "vips_cpu_ms": vc,
            "vips_peak_rss_mb": vm,
        }));
    }
    if let Some(json_out) = json_out {
        let side = |runs: &[Run], display: &str, thumb: &str| {
            let (ms, mb) = stat(runs);
            serde_json::json!({
                "median_ms": ms,
                "median_cpu_ms": cpu(runs),
                "median_peak_rss_mb": mb,
                "display_bytes": size(&o(display)),
                "thumbnail_bytes": size(&o(thumb)),
            })
        };
        let vips_version = Command::new("vips")
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let figures = serde_json::json!({
            "photo": photo.display().to_string(),
            "photo_bytes": size(&photo),
            "pairs": pairs,
            "vips_version": vips_version,
            "sentra": side(&ours, "ours-display.jpg", "ours-thumb.jpg"),
            "vips_a": side(&va, "va-1280.jpg", "va-320.jpg"),
            "vips_b": side(&vb, "vb-1280.jpg", "vb-320.jpg"),
            "time_ratios_to_vips_a": time_ratios,
            "cpu_ratios_to_vips_a": cpu_ratios,
            "inputs": per_input,
        });
        std::fs::write(&json_out, figures.to_string()).expect("write --json");
    }
}
