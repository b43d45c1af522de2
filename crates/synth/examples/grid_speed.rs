//! Times `grid_people`: `cargo run -p wangge-synth --release --example grid_speed [grids] [rounds]`.

use std::time::Instant;

use wangge_domain::date::Date;
use wangge_synth::{Config, district, grid_people};

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().unwrap_or(100));
    let grids = args.next().unwrap_or(100);
    let rounds = args.next().unwrap_or(5);
    let today = Date::new(2025, 6, 30).expect("valid date");
    let cfg = Config::shifeng(4, today);
    let d = district(&cfg);
    for round in 0..rounds {
        let start = Instant::now();
        let persons: usize = d
            .grids
            .iter()
            .cycle()
            .take(grids)
            .map(|g| grid_people(&cfg, g).persons.len())
            .sum();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "round {round}: {grids} grids, {persons} persons in {:.1} ms ({:.3} ms per 1,000 persons)",
            secs * 1e3,
            secs * 1e6 / persons as f64
        );
    }
}
