//! Renders a sample weekly review to a file and prints how long it took and how big it is:
//! `cargo run --release -p wangge-pdf --example weekly -- [OUT.pdf] [ROWS]`.

#[path = "../tests/sample/mod.rs"]
mod sample;

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "weekly.pdf".into());
    let rows = args.next().map_or(Ok(500), |n| n.parse())?;

    let started = Instant::now();
    let font = wangge_pdf::Font::load_default()?;
    let loaded = started.elapsed();
    let doc = sample::weekly_review(rows);
    let started = Instant::now();
    let pdf = wangge_pdf::render(&doc, &font)?;
    let rendered = started.elapsed();
    std::fs::write(&out, &pdf)?;
    println!(
        "{font}: loaded in {loaded:.1?}; {rows} rows rendered in {rendered:.1?}, {} KB → {out}",
        pdf.len() / 1024
    );
    Ok(())
}
