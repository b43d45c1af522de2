//! A progress bar on standard error for long work; quiet when stderr is not a terminal
//! except for a line every few seconds, so logs stay readable.
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    label: String,
    total: u64,
    done: u64,
    started: Instant,
    last_draw: Instant,
    tty: bool,
}

impl Progress {
    pub fn new(label: &str, total: u64) -> Progress {
        let now = Instant::now();
        Progress {
            label: label.to_string(),
            total: total.max(1),
            done: 0,
            started: now,
            last_draw: now,
            tty: std::io::stderr().is_terminal(),
        }
    }

    pub fn advance(&mut self, n: u64, detail: &str) {
        self.done += n;
        let every = if self.tty {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(5)
        };
        if self.last_draw.elapsed() >= every && self.done < self.total {
            self.draw(detail);
            self.last_draw = Instant::now();
        }
    }

    fn draw(&self, detail: &str) {
        let frac = (self.done as f64 / self.total as f64).min(1.0);
        let filled = (frac * 30.0) as usize;
        let bar: String = "█".repeat(filled) + &"░".repeat(30 - filled);
        let line = format!(
            "{} [{bar}] {}/{} {:>3.0}% {detail} {:.1}s",
            self.label,
            self.done,
            self.total,
            frac * 100.0,
            self.started.elapsed().as_secs_f64()
        );
        let mut err = std::io::stderr();
        if self.tty {
            let _ = write!(err, "\r{line}\x1b[K");
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    }

    pub fn finish(&self, detail: &str) {
        self.draw(detail);
        if self.tty {
            eprintln!();
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}
