//! `cashier-soak run --tills 8 --minutes M [--store-url URL] [--seed S] [--out DIR]`: starts
//! the sandbox, the tills and the fault injector, samples memory and descriptors, and at the
//! end stops everything cleanly and checks the books (finish.rs).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, ExitCode};
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::children::{self, TillLine};
use crate::faultlog::Window;
use crate::inject::{Armed, Pending};
use crate::proxy::StoreProxy;
use crate::sampler::{self, Sample};
use crate::store_db::StoreDb;

pub struct Opts {
    pub tills: usize,
    pub minutes: f64,
    pub store_url: Option<String>,
    pub seed: u64,
    pub out: PathBuf,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        tills: 8,
        minutes: 3.0,
        store_url: None,
        seed: rand::random(),
        out: PathBuf::from(format!(
            "target/soak/{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        )),
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--tills" => o.tills = value.parse().map_err(|_| "--tills N (1 to 99)")?,
            "--minutes" => o.minutes = value.parse().map_err(|_| "--minutes M")?,
            "--store-url" => o.store_url = Some(value.clone()).filter(|v| !v.is_empty()),
            "--seed" => o.seed = value.parse().map_err(|_| "--seed N")?,
            "--out" => o.out = PathBuf::from(value),
            other => return Err(format!("unknown option {other}")),
        }
    }
    // Also refuses NaN, which is not more than 0.
    if !(1..=99).contains(&o.tills)
        || o.minutes.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
    {
        return Err("--tills 1 to 99, --minutes more than 0".into());
    }
    Ok(o)
}

/// One till of the run: its directory and, while it runs, its process.
pub struct Slot {
    /// The till id (`01`…), as its journal and the store know it.
    pub name: String,
    pub dir: PathBuf,
    pub config: PathBuf,
    pub child: Option<Child>,
    pub generation: u32,
    /// Its last event was `start`: a payment is in flight.
    pub paying: bool,
    pub started: Instant,
    /// The kill window a restart of this till ends (at its `ready`).
    pub kill_window: Option<usize>,
    pub stopped: Option<serde_json::Value>,
}

pub struct Run {
    pub opts: Opts,
    pub started: Instant,
    pub sandbox_addr: String,
    pub sandbox: Option<Child>,
    pub slots: Vec<Slot>,
    pub events_tx: UnboundedSender<TillLine>,
    pub events_rx: UnboundedReceiver<TillLine>,
    pub events_log: File,
    pub windows: Vec<Window>,
    pub samples: Vec<Sample>,
    pub csv: File,
    pub proxy: Option<StoreProxy>,
    pub store: Option<StoreDb>,
    pub http: reqwest::Client,
    pub rng: StdRng,
    pub pending: Vec<Pending>,
    pub armed: Option<Armed>,
    /// (channel, what the customer did, how it ended) → payments, from the tills' events.
    pub tally: BTreeMap<(String, String, String), u64>,
    pub refused: u64,
    pub problems: Vec<String>,
    /// What each bill's customer did (`paid`, `charged-busy`, `customer-pays`…), from `start`.
    pub plans: std::collections::HashMap<String, String>,
}

impl Run {
    pub fn sandbox_url(&self) -> String {
        format!("http://{}/", self.sandbox_addr)
    }

    pub fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    pub fn spawn_till(&mut self, slot: usize) -> Result<(), String> {
        let s = &mut self.slots[slot];
        let seed = self.opts.seed.wrapping_add(slot as u64);
        let log = s.dir.join("till.log");
        let child = children::till(
            slot,
            &s.config,
            s.generation,
            seed,
            &log,
            self.events_tx.clone(),
        )?;
        s.child = Some(child);
        s.paying = false;
        s.started = Instant::now();
        Ok(())
    }

    pub fn spawn_sandbox(&mut self) -> Result<(), String> {
        let out = &self.opts.out;
        let child = children::sandbox(
            &self.sandbox_addr,
            &out.join("sandbox-state.jsonl"),
            &out.join("sandbox.log"),
        )?;
        self.sandbox = Some(child);
        Ok(())
    }

    /// Waits until the sandbox answers its ledger (it binds, loads its state, serves).
    pub async fn sandbox_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = format!("{}_sandbox/faults", self.sandbox_url());
        while Instant::now() < deadline {
            if self
                .http
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("the sandbox did not answer within 30 s".into())
    }

    fn on_event(&mut self, line: TillLine) {
        let mut logged = line.event.clone();
        logged["till"] = json!(self.slots[line.slot].name);
        logged["generation"] = json!(line.generation);
        let _ = writeln!(self.events_log, "{logged}");
        let slot = &mut self.slots[line.slot];
        if line.generation != slot.generation {
            return;
        }
        let e = &line.event;
        let text = |k: &str| e[k].as_str().unwrap_or("?").to_string();
        match e["ev"].as_str().unwrap_or("") {
            "start" => {
                slot.paying = true;
                self.plans.insert(text("bill"), text("what"));
            }
            "end" => {
                slot.paying = false;
                *self
                    .tally
                    .entry((text("channel"), text("what"), text("state")))
                    .or_default() += 1;
            }
            "refused" | "wait_failed" => {
                slot.paying = false;
                self.refused += 1;
            }
            "ready" => {
                if let Some(w) = slot.kill_window.take()
                    && let Some(w) = self.windows.get_mut(w)
                {
                    w.end = Some(chrono::Utc::now());
                }
            }
            "stopped" => slot.stopped = Some(e.clone()),
            "error" => self
                .problems
                .push(format!("till {}: {}", slot.name, text("error"))),
            _ => {}
        }
    }

    pub fn drain_events(&mut self) {
        while let Ok(line) = self.events_rx.try_recv() {
            self.on_event(line);
        }
    }

    fn sample(&mut self) {
        let at = self.elapsed();
        for (i, s) in self.slots.iter().enumerate() {
            let Some(child) = &s.child else { continue };
            let Some(r) = sampler::sample(child.id()) else {
                continue;
            };
            let row = Sample {
                at,
                slot: i,
                generation: s.generation,
                pid: child.id(),
                rss_kb: r.rss_kb,
                pss_kb: r.pss_kb,
                anon_kb: r.anon_kb,
                fds: r.fds,
                journal_kb: sampler::journal_kb(&s.dir.join("journal.db")),
            };
            let _ = sampler::write_row(&mut self.csv, &row);
            self.samples.push(row);
        }
    }
}

pub fn main(args: &[String]) -> ExitCode {
    let opts = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("cashier-soak run: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match crate::runtime("cashier-soak run") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(run(opts)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("cashier-soak run: {e}");
            ExitCode::FAILURE
        }
    }
}

fn file(path: PathBuf) -> Result<File, String> {
    File::create(&path).map_err(|e| format!("{}: {e}", path.display()))
}

async fn run(opts: Opts) -> Result<bool, String> {
    std::fs::create_dir_all(&opts.out).map_err(|e| format!("{}: {e}", opts.out.display()))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let (events_tx, events_rx) = unbounded_channel();
    let mut csv = file(opts.out.join("memory.csv"))?;
    csv.write_all(sampler::CSV_HEADER.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut run = Run {
        started: Instant::now(),
        sandbox_addr: format!("127.0.0.1:{port}"),
        sandbox: None,
        slots: Vec::new(),
        events_tx,
        events_rx,
        events_log: file(opts.out.join("events.jsonl"))?,
        windows: Vec::new(),
        samples: Vec::new(),
        csv,
        proxy: None,
        store: None,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?,
        rng: StdRng::seed_from_u64(opts.seed),
        pending: Vec::new(),
        armed: None,
        tally: BTreeMap::new(),
        refused: 0,
        problems: Vec::new(),
        plans: std::collections::HashMap::new(),
        opts,
    };
    eprintln!(
        "soak: {} tills, {} min, seed {}, out {}, store: {}",
        run.opts.tills,
        run.opts.minutes,
        run.opts.seed,
        run.opts.out.display(),
        if run.opts.store_url.is_some() {
            "yes"
        } else {
            "no"
        }
    );
    run.spawn_sandbox()?;
    run.sandbox_ready().await?;
    if let Some(url) = run.opts.store_url.clone() {
        let db = StoreDb::create(&url).await?;
        run.proxy = Some(StoreProxy::start(db.upstream.clone()).await?);
        run.store = Some(db);
    }
    for i in 0..run.opts.tills {
        let name = format!("{:02}", i + 1);
        let dir = run.opts.out.join(format!("till-{name}"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let store_url = match (&run.store, &run.proxy) {
            (Some(db), Some(proxy)) => Some(db.add_till(&name, proxy.port).await?),
            _ => None,
        };
        let config = crate::config::write(&dir, &name, &run.sandbox_url(), store_url)?;
        run.slots.push(Slot {
            name,
            dir,
            config,
            child: None,
            generation: 0,
            paying: false,
            started: Instant::now(),
            kill_window: None,
            stopped: None,
        });
        run.spawn_till(i)?;
    }
    run.started = Instant::now();
    let end = run.started + Duration::from_secs_f64(run.opts.minutes * 60.0);
    // Faults start after a warm-up: every till logged in and paying.
    let mut next_fault = run.started + Duration::from_secs(10);
    let mut next_sample = run.started;
    while Instant::now() < end {
        run.drain_events();
        let now = Instant::now();
        if now >= next_sample {
            run.sample();
            next_sample += Duration::from_secs(5);
        }
        crate::inject::tick(&mut run).await;
        if now >= next_fault {
            crate::inject::inject(&mut run).await;
            next_fault = Instant::now()
                + Duration::from_secs_f64(rand::Rng::gen_range(&mut run.rng, 4.0..12.0));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    crate::finish::finish(&mut run).await
}
