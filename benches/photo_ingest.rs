//! Photo ingest (issue 5): the station's whole ingest of a 12-megapixel camera JPEG (read the file,
//! SHA-256, durable store with fsyncs, EXIF, a 256-pixel upright thumbnail) against `vipsthumbnail`
//! making the same 256-pixel thumbnail from the same file, side by side in one run.
//!
//! The test photo is made once under `target/tmp`: the Jolla phone photo of the test fixtures scaled
//! up to 4000 × 3000 at quality 90 by ImageMagick (which keeps its EXIF, as a camera file has), or by
//! the `image` crate when ImageMagick is absent. Each round runs every measurement once, interleaved,
//! so they share the machine's noise; the report gives medians. vipsthumbnail is timed as a whole
//! process (that is how it is used); the station's ingest is timed in-process (how the photo worker
//! runs it) and also as a whole process (this benchmark re-run as a child that ingests once), which
//! also reports the child's peak memory (VmHWM). vipsthumbnail writes its thumbnail in its own `.v`
//! format, so it pays no JPEG encoding. Without `vipsthumbnail` its rows are left out with a note.
//! Run with `cargo bench --bench photo_ingest` (`RMA_BENCH_RUNS` rounds, 21 by default).

#![expect(
    clippy::print_stdout,
    reason = "the report goes to stdout; a child run reports its peak memory to the parent there"
)]

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::photo::{CAMERA_NOISE, twelve_megapixel_photo, which};
use image::metadata::Orientation;
use rma_station::clock::Clock;
use rma_station::photos::decode::{self, DecodeLimits, THUMBNAIL_EDGE};
use rma_station::photos::exif;
use rma_station::photos::ingest;
use rma_station::photos::store::PhotoFolder;

type Result<T> = common::BenchResult<T>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--ingest-once") => return child_ingest(Path::new(&args[2]), Path::new(&args[3])),
        Some("--baseline") => return child_baseline(),
        _ => {}
    }
    let runs: usize = std::env::var("RMA_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(21);
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("photo_ingest");
    fs::create_dir_all(&work)?;
    let vips = which("vipsthumbnail");
    if vips.is_none() {
        eprintln!(
            "photo_ingest: vipsthumbnail is not installed; its rows are left out (apt-get install libvips-tools)"
        );
    }
    for (name, noise) in [("upscaled phone photo", None), ("the same with sensor-like noise", Some(CAMERA_NOISE))] {
        let (photo, made_by) = twelve_megapixel_photo(&work, noise)?;
        let bytes = fs::read(&photo)?;
        let (_, width, height) = decode::dimensions(&bytes, &DecodeLimits::default())?;
        let heading = format!("{name}: {width} × {height}, q90, {} bytes, made by {made_by}", bytes.len());
        eprintln!("photo_ingest: {heading}, {runs} rounds");
        print!("\n#### {heading}\n\n{}", measure(&work, &photo, &bytes, made_by, vips.as_deref(), runs)?);
    }
    Ok(())
}

/// Runs every measurement `runs` times, interleaved, and reports them as a Markdown table and notes.
fn measure(work: &Path, photo: &Path, bytes: &[u8], made_by: &str, vips: Option<&Path>, runs: usize) -> Result<String> {
    let me = std::env::current_exe()?;
    let limits = DecodeLimits::default();
    let mut rows: Vec<(&str, Vec<Duration>)> = vec![
        ("station: whole ingest, in-process (read file, SHA-256, durable store, EXIF, thumbnail)", Vec::new()),
        ("station: whole ingest, whole process (the same, as a child process)", Vec::new()),
        ("vipsthumbnail: 256 px thumbnail, whole process", Vec::new()),
        ("part: SHA-256 + durable store (write, fsync file, rename, fsync folder)", Vec::new()),
        ("part: EXIF", Vec::new()),
        ("part: thumbnail, jpeg-decoder at 1/8 DCT scale + area reduction (chosen)", Vec::new()),
        ("alternative: thumbnail, zune-jpeg full decode + `thumbnail` (image crate)", Vec::new()),
    ];
    let mut peak_kib = Vec::new();
    for round in 0..runs {
        let store = work.join(format!("store-{round}"));
        let _ = fs::remove_dir_all(&store);
        let started = Instant::now();
        let ingested = ingest::ingest_file(&PhotoFolder::new(&store), photo, Clock::System.now().at, &limits)?;
        rows[0].1.push(started.elapsed());
        assert!(!ingested.stored.already_had && ingested.thumbnail.width == THUMBNAIL_EDGE);
        fs::remove_dir_all(&store)?;

        let started = Instant::now();
        let output = Command::new(&me).arg("--ingest-once").arg(photo).arg(&store).output()?;
        rows[1].1.push(started.elapsed());
        if !output.status.success() {
            return Err(format!("child ingest failed: {}", String::from_utf8_lossy(&output.stderr)).into());
        }
        peak_kib.push(String::from_utf8_lossy(&output.stdout).trim().parse::<u64>()?);
        fs::remove_dir_all(&store)?;

        if let Some(vips) = vips {
            let started = Instant::now();
            let status =
                Command::new(vips).arg(photo).args(["-s", "256", "-o"]).arg(work.join("vips-thumb.v")).status()?;
            rows[2].1.push(started.elapsed());
            if !status.success() {
                return Err("vipsthumbnail failed".into());
            }
        }

        let started = Instant::now();
        PhotoFolder::new(&store).put(bytes)?;
        rows[3].1.push(started.elapsed());
        fs::remove_dir_all(&store)?;

        let started = Instant::now();
        let metadata = exif::read(bytes);
        rows[4].1.push(started.elapsed());
        assert!(metadata.make.is_some() || made_by != "ImageMagick");

        let started = Instant::now();
        let thumbnail = decode::render(bytes, THUMBNAIL_EDGE, Orientation::NoTransforms, &limits)?;
        rows[5].1.push(started.elapsed());
        assert_eq!((thumbnail.picture.width, thumbnail.picture.height), (256, 192));

        let started = Instant::now();
        let zune =
            image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)?.thumbnail(256, 256).into_rgba8();
        rows[6].1.push(started.elapsed());
        assert_eq!(zune.dimensions(), (256, 192));
    }

    let baseline = Command::new(&me).arg("--baseline").output()?;
    let baseline_kib: u64 = String::from_utf8_lossy(&baseline.stdout).trim().parse()?;
    let vips_kib = vips.and_then(|vips| peak_rss_kib(vips, photo, work));

    let medians: Vec<Option<Duration>> = rows.iter().map(|(_, times)| median(times)).collect();
    let mut report = String::new();
    report.push_str(&format!("| measurement ({runs} rounds) | median | min | max |\n| --- | ---: | ---: | ---: |\n"));
    for (label, times) in &rows {
        match (median(times), times.iter().min(), times.iter().max()) {
            (Some(mid), Some(low), Some(high)) => {
                report.push_str(&format!("| {label} | {} | {} | {} |\n", ms(mid), ms(*low), ms(*high)));
            }
            _ => report.push_str(&format!("| {label} | not measured: `vipsthumbnail` is not installed | | |\n")),
        }
    }
    let peak = median_u64(&peak_kib);
    report.push_str(&format!(
        "\nPeak memory (VmHWM) of a child process that ingests once: {} MiB; of the same process doing nothing: {} MiB; \
         so an ingest adds about {} MiB (the {} MB file is held once, plus the scaled decode).",
        peak / 1024,
        baseline_kib / 1024,
        peak.saturating_sub(baseline_kib) / 1024,
        bytes.len() / 1_000_000,
    ));
    match vips_kib {
        Some(kib) => report
            .push_str(&format!(" vipsthumbnail's peak (maximum RSS, `/usr/bin/time -f %M`): {} MiB.\n", kib / 1024)),
        None => report.push('\n'),
    }
    match (medians[0], medians[2]) {
        (Some(station), Some(vips)) => report.push_str(&format!(
            "\nTarget (the station's whole ingest takes no longer than vipsthumbnail's thumbnail alone): {}: \
             in-process {} against {}; as a whole process too, {}.\n",
            if station <= vips { "**met**" } else { "**not met**" },
            ms(station),
            ms(vips),
            medians[1].map_or_else(|| "n/a".to_owned(), ms),
        )),
        _ => report
            .push_str("\nTarget not checked: `vipsthumbnail` is not installed (`apt-get install libvips-tools`).\n"),
    }
    Ok(report)
}

/// One ingest into `store`, then this process's peak memory in KiB on stdout.
fn child_ingest(photo: &Path, store: &Path) -> Result<()> {
    ingest::ingest_file(&PhotoFolder::new(store), photo, Clock::System.now().at, &DecodeLimits::default())?;
    print!("{}", vm_hwm_kib()?);
    Ok(())
}

/// The peak memory of this process having done nothing, in KiB on stdout.
fn child_baseline() -> Result<()> {
    print!("{}", vm_hwm_kib()?);
    Ok(())
}

fn vm_hwm_kib() -> Result<u64> {
    let status = fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).ok_or("no VmHWM in /proc/self/status")?;
    Ok(line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse()?)
}

/// vipsthumbnail's maximum resident set, from GNU time, if it is installed.
fn peak_rss_kib(vips: &Path, photo: &Path, work: &Path) -> Option<u64> {
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(vips)
        .arg(photo)
        .args(["-s", "256", "-o"])
        .arg(work.join("vips-thumb.v"))
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stderr).lines().last()?.trim().parse().ok()
}

fn median(times: &[Duration]) -> Option<Duration> {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied()
}

fn median_u64(values: &[u64]) -> u64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or(0)
}

/// Milliseconds with two decimals, without floating point.
fn ms(duration: Duration) -> String {
    let micros = duration.as_micros();
    format!("{}.{:02} ms", micros / 1000, micros % 1000 / 10)
}
