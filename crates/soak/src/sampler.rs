//! Memory and file descriptors of each till process, sampled every few seconds into a CSV:
//! RSS, PSS and anonymous memory from `/proc/PID/smaps_rollup`, open descriptors from
//! `/proc/PID/fd`. RSS and PSS count the journal's file pages a reader has mapped (the journal
//! is read through `mmap`), which grow with the journal and are the kernel's to drop; a leak
//! grows the anonymous memory (the heap), so that is judged apart. The journal's size on disk
//! (file and WAL) is sampled beside them, the bound of what the mapped pages can reach.

use std::io::Write;

#[derive(Debug, Clone)]
pub struct Sample {
    /// Seconds since the run started.
    pub at: f64,
    pub slot: usize,
    pub generation: u32,
    pub pid: u32,
    pub rss_kb: u64,
    pub pss_kb: u64,
    pub anon_kb: u64,
    pub fds: u64,
    pub journal_kb: u64,
}

pub const CSV_HEADER: &str =
    "seconds,utc,till,generation,pid,rss_kb,pss_kb,anon_kb,fds,journal_kb\n";

/// One process's figures at one moment.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    pub rss_kb: u64,
    pub pss_kb: u64,
    pub anon_kb: u64,
    pub fds: u64,
}

/// The journal's size in kB, its WAL included (0 for what cannot be read: a file not yet made).
pub fn journal_kb(journal: &std::path::Path) -> u64 {
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = journal.as_os_str().to_owned();
    wal.push("-wal");
    size(journal).saturating_add(size(std::path::Path::new(&wal))) / 1024
}

/// One sample of `pid`, or `None` when it is gone (or /proc cannot be read).
pub fn sample(pid: u32) -> Option<Reading> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let field = |name: &str| {
        rollup.lines().find_map(|l| {
            let rest = l.strip_prefix(name)?;
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
    };
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count() as u64;
    Some(Reading {
        rss_kb: field("Rss:")?,
        pss_kb: field("Pss:")?,
        anon_kb: field("Anonymous:")?,
        fds,
    })
}

pub fn write_row(out: &mut impl Write, s: &Sample) -> std::io::Result<()> {
    writeln!(
        out,
        "{:.1},{},{:02},{},{},{},{},{},{},{}",
        s.at,
        chrono::Utc::now().to_rfc3339(),
        s.slot + 1,
        s.generation,
        s.pid,
        s.rss_kb,
        s.pss_kb,
        s.anon_kb,
        s.fds,
        s.journal_kb
    )
}

fn median(mut v: Vec<u64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    })
}

/// One till process's figures: the medians of the run's second quarter (after warm-up) and of
/// its last quarter.
#[derive(Debug, Clone)]
pub struct Flatness {
    pub slot: usize,
    pub generation: u32,
    pub rss_kb: (f64, f64),
    pub pss_kb: (f64, f64),
    pub anon_kb: (f64, f64),
    pub fds: (f64, f64),
    pub journal_kb: (f64, f64),
}

impl Flatness {
    pub fn rss_ratio(&self) -> f64 {
        self.rss_kb.1 / self.rss_kb.0.max(1.0)
    }
    pub fn pss_ratio(&self) -> f64 {
        self.pss_kb.1 / self.pss_kb.0.max(1.0)
    }
    pub fn anon_ratio(&self) -> f64 {
        self.anon_kb.1 / self.anon_kb.0.max(1.0)
    }
}

/// The median of one figure of one till process over the samples taken at times `within` keeps.
fn median_of(
    samples: &[Sample],
    (slot, generation): (usize, u32),
    within: impl Fn(f64) -> bool,
    figure: fn(&Sample) -> u64,
) -> Option<f64> {
    median(
        samples
            .iter()
            .filter(|s| s.slot == slot && s.generation == generation && within(s.at))
            .map(figure)
            .collect(),
    )
}

/// The figures of every till process sampled in the second quarter of a run of `seconds` and
/// still alive at its end (a till killed and started again is a new process: one killed in
/// the last quarter would be judged on a few samples).
pub fn flatness(samples: &[Sample], seconds: f64) -> Vec<Flatness> {
    let q2 = (seconds * 0.25, seconds * 0.5);
    let q4 = (seconds * 0.75, seconds);
    let mut keys: Vec<(usize, u32)> = samples.iter().map(|s| (s.slot, s.generation)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter(|&(slot, generation)| {
            samples
                .iter()
                .filter(|s| s.slot == slot && s.generation == generation)
                .any(|s| s.at >= seconds - 15.0)
        })
        .filter_map(|process| {
            let of = |(from, to): (f64, f64), f: fn(&Sample) -> u64| {
                median_of(samples, process, |at| at >= from && at <= to, f)
            };
            let both = |f: fn(&Sample) -> u64| Some((of(q2, f)?, of(q4, f)?));
            Some(Flatness {
                slot: process.0,
                generation: process.1,
                rss_kb: both(|s| s.rss_kb)?,
                pss_kb: both(|s| s.pss_kb)?,
                anon_kb: both(|s| s.anon_kb)?,
                fds: both(|s| s.fds)?,
                journal_kb: both(|s| s.journal_kb)?,
            })
        })
        .collect()
}

/// One sixth of a run of one till process, its medians in kB.
#[derive(Debug, Clone, Copy)]
pub struct Sixth {
    pub rss_kb: f64,
    pub anon_kb: f64,
    pub journal_kb: f64,
}

/// One process's medians over each sixth of a run: how its memory went, not only where it
/// ended; the sixths it was not sampled in are left out.
pub fn timeline(samples: &[Sample], process: (usize, u32), seconds: f64) -> Vec<Sixth> {
    let width = seconds / 6.0;
    (0..6)
        .filter_map(|i| {
            let from = width * f64::from(i);
            let of = |f: fn(&Sample) -> u64| {
                median_of(samples, process, |at| at >= from && at < from + width, f)
            };
            Some(Sixth {
                rss_kb: of(|s| s.rss_kb)?,
                anon_kb: of(|s| s.anon_kb)?,
                journal_kb: of(|s| s.journal_kb)?,
            })
        })
        .collect()
}
