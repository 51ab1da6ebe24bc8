//! Worker threads and the users they run. Each worker is one OS thread with a single-threaded
//! tokio runtime; its users are local tasks that record into the worker's own `Recorder`
//! (no locks, no atomics on the request path). The coordinator asks each worker for a snapshot
//! once a second; at the run time the worker stops its users (letting in-flight requests finish
//! for `--stop-timeout`) and hands back what is left.

use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::{JoinSet, LocalSet};
use tokio::time::{sleep_until, timeout_at};

use crate::cli::Config;
use crate::failure::Failure;
use crate::http::{Connection, PreparedRequest, RequestError, Response, Target};
use crate::rng::Rng;
use crate::stats::{Clock, Recorder, Snapshot};

/// A task as the users run it.
#[derive(Debug)]
pub struct PlannedTask {
    pub request: PreparedRequest,
    pub entry: usize,
    pub expected: u16,
    pub name: String,
}

/// Everything the workers share, read-only.
#[derive(Debug)]
pub struct Plan {
    pub clock: Clock,
    pub addr: SocketAddr,
    pub tasks: Vec<PlannedTask>,
    /// Running sums of the task weights, for weighted choice.
    cumulative: Vec<u64>,
    pub entries: usize,
    pub users: u64,
    pub threads: usize,
    spawn_batch: u64,
    spawn_rate: f64,
    wait_min: Duration,
    wait_span: Duration,
    timeout: Duration,
    stop_timeout: Duration,
    seed: u64,
}

impl Plan {
    pub fn new(config: &Config, clock: Clock, target: &Target, seed: u64) -> Plan {
        let (keys, of_task) = config.scenario.entries();
        let tasks = config
            .scenario
            .tasks
            .iter()
            .zip(of_task)
            .map(|(task, entry)| PlannedTask {
                request: PreparedRequest::new(task, target),
                entry,
                expected: task.expected_status,
                name: task.name.clone(),
            })
            .collect();
        let cumulative = config
            .scenario
            .tasks
            .iter()
            .scan(0u64, |sum, t| {
                *sum += u64::from(t.weight);
                Some(*sum)
            })
            .collect();
        Plan {
            clock,
            addr: target.addr,
            tasks,
            cumulative,
            entries: keys.len(),
            users: config.users,
            threads: config.threads,
            spawn_batch: config.spawn_batch(),
            spawn_rate: config.spawn_rate,
            wait_min: config.wait_min,
            wait_span: config.wait_max - config.wait_min,
            timeout: config.timeout,
            stop_timeout: config.stop_timeout,
            seed,
        }
    }

    /// Weighted random choice, like Locust's pick from a list holding each task `weight` times.
    pub fn pick(&self, rng: &mut Rng) -> &PlannedTask {
        let total = self.cumulative.last().copied().unwrap_or(1);
        let r = rng.below(total);
        let index = self.cumulative.partition_point(|c| *c <= r);
        &self.tasks[index.min(self.tasks.len() - 1)]
    }

    /// Uniform wait between `--wait-min` and `--wait-max`, like Locust's `between`.
    pub fn wait(&self, rng: &mut Rng) -> Duration {
        self.wait_min + self.wait_span.mul_f64(rng.next_f64())
    }

    fn spawn_at(&self, user: u64) -> Instant {
        let batch_index = user / self.spawn_batch;
        self.clock.t0
            + Duration::from_secs_f64(
                batch_index as f64 * self.spawn_batch as f64 / self.spawn_rate,
            )
    }

    fn hard_stop(&self) -> Instant {
        self.clock.deadline() + self.stop_timeout
    }
}

/// What the coordinator asks of a worker.
#[derive(Debug)]
enum Command {
    /// Send a snapshot on this channel.
    Snapshot(mpsc::Sender<Snapshot>),
    /// The run was interrupted: stop every user now.
    Stop,
}

/// A running worker thread.
#[derive(Debug)]
pub struct Worker {
    thread: JoinHandle<io::Result<Snapshot>>,
    requests: UnboundedSender<Command>,
}

impl Worker {
    pub fn spawn(index: usize, plan: Arc<Plan>) -> io::Result<Worker> {
        let (requests, inbox) = unbounded_channel();
        let thread = std::thread::Builder::new()
            .name(format!("loadgen-worker-{index}"))
            .spawn(move || worker_main(index, plan, inbox))?;
        Ok(Worker { thread, requests })
    }

    /// Asks for a snapshot; the answer arrives on the returned channel (nothing if the worker
    /// has already finished, in which case its data comes with `join`).
    pub fn request_snapshot(&self) -> mpsc::Receiver<Snapshot> {
        let (reply, answer) = mpsc::channel();
        let _ = self.requests.send(Command::Snapshot(reply));
        answer
    }

    /// Stops the worker's users at once (requests in flight are cut off, unrecorded).
    pub fn stop(&self) {
        let _ = self.requests.send(Command::Stop);
    }

    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Waits for the worker to finish and takes what it recorded since its last snapshot.
    pub fn join(self) -> io::Result<Snapshot> {
        self.thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("worker thread panicked")))
    }
}

struct WorkerCtx {
    plan: Arc<Plan>,
    recorder: RefCell<Recorder>,
    stop: Notify,
}

fn worker_main(
    index: usize,
    plan: Arc<Plan>,
    inbox: UnboundedReceiver<Command>,
) -> io::Result<Snapshot> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    let ctx = Rc::new(WorkerCtx {
        recorder: RefCell::new(Recorder::new(plan.clock, plan.entries)),
        plan,
        stop: Notify::new(),
    });
    let local = LocalSet::new();
    local.block_on(&runtime, drive(index, Rc::clone(&ctx), inbox));
    // Dropping the LocalSet drops every user still running: their requests are cut off.
    drop(local);
    let snapshot = ctx.recorder.borrow_mut().take();
    Ok(snapshot)
}

async fn drive(index: usize, ctx: Rc<WorkerCtx>, inbox: UnboundedReceiver<Command>) {
    tokio::task::spawn_local(serve_commands(Rc::clone(&ctx), inbox));
    let deadline = ctx.plan.clock.deadline();
    let mut users = JoinSet::new();
    let interrupted = tokio::select! {
        () = async {
            start_users(index, &ctx, &mut users).await;
            sleep_until(deadline.into()).await;
        } => false,
        () = ctx.stop.notified() => true,
    };
    if !interrupted {
        let _ = timeout_at(ctx.plan.hard_stop().into(), async {
            while users.join_next().await.is_some() {}
        })
        .await;
    }
    users.abort_all();
}

async fn serve_commands(ctx: Rc<WorkerCtx>, mut inbox: UnboundedReceiver<Command>) {
    while let Some(command) = inbox.recv().await {
        match command {
            Command::Snapshot(reply) => {
                let snapshot = ctx.recorder.borrow_mut().take();
                let _ = reply.send(snapshot);
            }
            Command::Stop => ctx.stop.notify_one(),
        }
    }
}

/// Starts this worker's share of the users (every `threads`-th one) on Locust's schedule.
async fn start_users(index: usize, ctx: &Rc<WorkerCtx>, users: &mut JoinSet<()>) {
    let plan = &ctx.plan;
    let deadline = plan.clock.deadline();
    let mut user = index as u64;
    while user < plan.users {
        let at = plan.spawn_at(user);
        if at >= deadline {
            return;
        }
        sleep_until(at.into()).await;
        users.spawn_local(run_user(Rc::clone(ctx), user));
        ctx.recorder.borrow_mut().user_started(Instant::now());
        user += plan.threads as u64;
    }
}

/// One user: pick a task, make the request on its own keep-alive connection, wait, repeat
/// until the run time. A broken connection is dropped and reopened by the next task.
async fn run_user(ctx: Rc<WorkerCtx>, user: u64) {
    let plan = &*ctx.plan;
    let deadline = plan.clock.deadline();
    let hard_stop = plan.hard_stop();
    let mut rng = Rng::for_user(plan.seed, user);
    let mut connection: Option<Connection> = None;
    // A user's first request is not checked for lateness: a spawn batch's users necessarily
    // start one after another, so the last of a large batch is late by construction.
    let mut wanted: Option<Instant> = None;
    loop {
        let start = Instant::now();
        if start >= deadline {
            return;
        }
        let task = plan.pick(&mut rng);
        let result = timeout_at(
            (start + plan.timeout).into(),
            exchange(&mut connection, plan.addr, &task.request),
        )
        .await;
        let end = Instant::now();
        if end > hard_stop {
            // Locust stops its users at the run time; a request still open then is not counted.
            return;
        }
        let (body_len, failure) = match result {
            Ok(Ok(response)) => {
                if response.close {
                    connection = None;
                }
                let failure = (response.status != task.expected)
                    .then(|| Failure::status(response.status, task.expected, &task.name));
                (response.body_len, failure)
            }
            Ok(Err(error)) => {
                connection = None;
                (0, Some(Failure::from_request_error(&error)))
            }
            Err(_) => {
                connection = None;
                (0, Some(Failure::timeout()))
            }
        };
        ctx.recorder
            .borrow_mut()
            .record(task.entry, wanted, start, end, body_len, failure);
        let next = end + plan.wait(&mut rng);
        if next >= deadline {
            return;
        }
        wanted = Some(next);
        // A zero wait (closed loop) goes straight on: a timer would cost a trip through the
        // runtime's timer wheel and up to a millisecond of its granularity.
        if next > Instant::now() {
            sleep_until(next.into()).await;
        }
    }
}

async fn exchange(
    connection: &mut Option<Connection>,
    addr: SocketAddr,
    request: &PreparedRequest,
) -> Result<Response, RequestError> {
    let open = match connection {
        Some(open) => open,
        None => connection.insert(Connection::open(addr).await?),
    };
    open.send(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn weighted_choice_follows_weights() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.toml");
        std::fs::write(
            &file,
            "[[task]]\npath = \"/a\"\nweight = 1\n[[task]]\npath = \"/b\"\nweight = 3\n",
        )
        .unwrap();
        let cli = Cli::try_parse_from(["loadgen", "--scenario", file.to_str().unwrap()]).unwrap();
        let config = Config::from_cli(cli).unwrap();
        let clock = Clock {
            t0: Instant::now(),
            t0_unix: 0.0,
            run_time: Duration::from_secs(1),
        };
        let target = Target::parse("http://127.0.0.1:9").unwrap();
        let plan = Plan::new(&config, clock, &target, 3);
        let mut rng = Rng::for_user(3, 0);
        let n = 40_000;
        let b = (0..n).filter(|_| plan.pick(&mut rng).name == "/b").count() as f64;
        // Binomial(n, 0.75): 5 sigma is about 433.
        assert!(
            (b - 0.75 * n as f64).abs() < 5.0 * (n as f64 * 0.75 * 0.25).sqrt(),
            "{b}"
        );
        for _ in 0..1000 {
            let w = plan.wait(&mut rng);
            assert!(
                w >= Duration::from_secs(1) && w <= Duration::from_secs(2),
                "{w:?}"
            );
        }
    }
}
