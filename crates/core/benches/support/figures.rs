//! The summary a bench prints at its end: each figure beside its baseline, with the ratio.
//!
//! The figures are timed in rounds, after criterion's own runs: each round runs every figure
//! once on every column, in a rotating order, so that a change in the machine's load (other
//! builds on the same disk, say) falls on a figure and its baseline alike. Criterion's runs
//! measure one figure at a time, seconds apart.
// Shared by the benches; each uses part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Figures {
    times: BTreeMap<(String, String), Vec<Duration>>,
}

impl Figures {
    /// Runs `routine` once after an untimed `setup`, and keeps its time under `figure` and
    /// `column`.
    pub fn time<I, O>(
        &mut self,
        figure: &str,
        column: &str,
        setup: impl FnOnce() -> I,
        routine: impl FnOnce(I) -> O,
    ) {
        let input = setup();
        let started = Instant::now();
        let out = routine(input);
        let took = started.elapsed();
        drop(out);
        self.times
            .entry((figure.to_string(), column.to_string()))
            .or_default()
            .push(took);
    }

    pub fn median(&self, figure: &str, column: &str) -> Option<Duration> {
        let mut all = self
            .times
            .get(&(figure.to_string(), column.to_string()))?
            .clone();
        all.sort();
        all.get(all.len() / 2).copied()
    }

    fn rounds(&self) -> usize {
        self.times.values().map(Vec::len).max().unwrap_or(0)
    }

    /// One line per figure: each column's median, then the last column's median over each
    /// of the others'.
    pub fn print_columns(&self, title: &str, figures: &[&str], columns: &[&str]) {
        let Some((last, others)) = columns.split_last() else {
            return;
        };
        println!();
        println!("{title} (medians of {} rounds)", self.rounds());
        print!("{:<36}", "figure");
        for c in columns {
            print!("{c:>15}");
        }
        for c in others {
            print!("{:>15}", format!("÷ {c}"));
        }
        println!();
        for f in figures {
            print!("{f:<36}");
            for c in columns {
                match self.median(f, c) {
                    Some(d) => print!("{:>15}", show(d)),
                    None => print!("{:>15}", "-"),
                }
            }
            let top = self.median(f, last);
            for c in others {
                match (top, self.median(f, c)) {
                    (Some(top), Some(base)) if !base.is_zero() => {
                        print!("{:>14.2}x", top.as_secs_f64() / base.as_secs_f64());
                    }
                    _ => print!("{:>15}", "-"),
                }
            }
            println!();
        }
    }

    /// One line per figure of `column`: its median and its ratio to `baseline`'s.
    pub fn print_against(&self, title: &str, baseline: &str, figures: &[&str], column: &str) {
        println!();
        println!("{title} (medians of {} rounds)", self.rounds());
        let base = self.median(baseline, column);
        for f in figures {
            let m = self.median(f, column);
            let shown = m.map(show).unwrap_or_else(|| "-".into());
            match (m, base) {
                (Some(m), Some(b)) if !b.is_zero() => println!(
                    "{f:<40}{shown:>14}{:>8.2}x {}",
                    m.as_secs_f64() / b.as_secs_f64(),
                    baseline.trim()
                ),
                _ => println!("{f:<40}{shown:>14}"),
            }
        }
    }
}

pub fn show(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 10_000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}
