// temporary experiment, not committed
use cashier_core::journal::{Journal, Selection};
use cashier_core::receipts::{DayReport, Format, write};
use chrono::NaiveDate;
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let j = Journal::open(std::path::Path::new(&path)).unwrap();
    let day = NaiveDate::from_ymd_opt(2025, 4, 20).unwrap();
    let mut t = Vec::new();
    let mut t2 = Vec::new();
    let mut t3 = Vec::new();
    let sel = Selection::Day(day);
    for _ in 0..100 {
        let s = Instant::now();
        let r = DayReport::build(day, j.day(day).unwrap());
        drop(r);
        t.push(s.elapsed().as_secs_f64() * 1e3);
        let s = Instant::now();
        let out = std::io::BufWriter::with_capacity(65536, std::io::sink());
        write(&j, &sel, Format::Json { day }, out).unwrap();
        t2.push(s.elapsed().as_secs_f64() * 1e3);
        let s = Instant::now();
        let tot =
            cashier_core::receipts::total(&j, &sel, |_| Ok::<(), cashier_core::Error>(())).unwrap();
        assert_eq!(tot.count(), 10000);
        t3.push(s.elapsed().as_secs_f64() * 1e3);
    }
    for (n, t) in [
        ("materialised", &mut t),
        ("json streamed", &mut t2),
        ("totals only", &mut t3),
    ] {
        t.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{n:>14}: median {:.2} ms  p10 {:.2}  p90 {:.2}",
            t[50], t[10], t[90]
        );
    }
}
