//! `Ocr`: a fixed pool of OCR workers on dedicated OS threads behind a bounded queue,
//! sharing the process's Tesseract engines.
//!
//! Invariants: the workers share one `Engines`: each read leases the engines its
//! image needs and gives them back, so an engine is loaded once (at `Ocr::start`, or
//! the first time a picture needs its model) and lives until the last `Ocr` clone is
//! dropped; reads run only on the workers' threads; the async runtime only parses
//! image headers and waits. A caller that times out gets `OcrError::Timeout`
//! at once; its job stops at the next text segment (Tesseract itself cannot be
//! interrupted through tesseract-plumbing, so one segment is the most that runs
//! past the deadline), and jobs whose caller has already given up are skipped, so
//! the pool stays usable. A sender (`read_as`) has at most `PER_OWNER` images in
//! the pool, so one sender cannot occupy every worker, and a large image (over
//! `LARGE_PIXELS`, or past `LARGE_SEGMENTS` segments) read for longer than `SLICE`
//! gives way (`OcrError::GaveWay`) at its next segment as soon as another image waits
//! for a worker, so a huge page delays the next seller by about one slice, not by the
//! whole timeout. Dropping the last `Ocr`
//! closes the queue and joins the workers, so the engines are freed before exit.

use std::cell::Cell;
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::engines::{Engines, LoadedEngines};
use super::picture::{self, Header, ImageLimits};
use super::reader::Reader;
use super::text;
use super::{OcrError, OcrOptions, OcrText};

type Outcome = Result<OcrText, OcrError>;

/// Where a worker sends its answer.
enum Reply {
    Async(oneshot::Sender<Outcome>),
    Blocking(SyncSender<Outcome>),
}

impl Reply {
    fn send(self, outcome: Outcome) {
        // An error here means the caller stopped waiting; nobody wants the answer.
        match self {
            Reply::Async(sender) => drop(sender.send(outcome)),
            Reply::Blocking(sender) => drop(sender.send(outcome)),
        }
    }

    fn abandoned(&self) -> bool {
        match self {
            Reply::Async(sender) => sender.is_closed(),
            Reply::Blocking(_) => false,
        }
    }
}

/// One image waiting for an engine.
struct Job {
    image: Vec<u8>,
    header: Header,
    deadline: Instant,
    timeout: Duration,
    reply: Reply,
    /// Held until the job is done or dropped: its sender's place in the pool.
    _slot: Option<OwnerSlot>,
}

impl Job {
    /// The error that ends this job now, if its deadline passed or its caller left.
    fn stop(&self) -> Option<OcrError> {
        (self.reply.abandoned() || Instant::now() >= self.deadline)
            .then_some(OcrError::Timeout(self.timeout))
    }

    /// The error that ends this job now to let a waiting image have the worker: it is
    /// large, has run for `SLICE` since `started`, and `waiting` images wait.
    fn give_way(&self, started: Instant, segments: u32, waiting: &AtomicUsize) -> Option<OcrError> {
        let pixels = u64::from(self.header.width) * u64::from(self.header.height);
        let large = pixels > LARGE_PIXELS || segments > LARGE_SEGMENTS;
        let elapsed = started.elapsed();
        (large && elapsed >= SLICE && waiting.load(Ordering::SeqCst) > 0)
            .then_some(OcrError::GaveWay(elapsed))
    }
}

/// How long a large image is read before it gives way to a waiting one.
const SLICE: Duration = Duration::from_secs(1);
/// Images over this many pixels are large (a phone screenshot has 1-2.5 million).
const LARGE_PIXELS: u64 = 4_000_000;
/// Reads past this many text segments are large (a phone screenshot has a few dozen).
const LARGE_SEGMENTS: u32 = 80;

/// Jobs queued or running per sender.
type Owners = Arc<Mutex<HashMap<i64, usize>>>;

/// One of a sender's `PER_OWNER` places; given back when dropped.
struct OwnerSlot {
    owners: Owners,
    owner: i64,
}

impl OwnerSlot {
    /// Takes a place for `owner`, or `None` when they have `PER_OWNER` already.
    fn take(owners: &Owners, owner: i64) -> Option<OwnerSlot> {
        let mut map = owners.lock().unwrap_or_else(PoisonError::into_inner);
        let count = map.entry(owner).or_default();
        if *count >= PER_OWNER {
            return None;
        }
        *count += 1;
        Some(OwnerSlot {
            owners: Arc::clone(owners),
            owner,
        })
    }
}

impl Drop for OwnerSlot {
    fn drop(&mut self) {
        let mut map = self.owners.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = map.get_mut(&self.owner) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.owner);
            }
        }
    }
}

/// Images one sender may have queued or being read at once, so one sender cannot
/// hold every worker.
const PER_OWNER: usize = 1;

struct Shared {
    /// `None` only while dropping.
    jobs: Option<SyncSender<Job>>,
    workers: Vec<JoinHandle<()>>,
    engines: Arc<Engines>,
    limits: ImageLimits,
    owners: Owners,
    /// Jobs in the queue, not yet taken by a worker.
    waiting: Arc<AtomicUsize>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Closing the queue ends each worker's loop once its current job is done.
        self.jobs = None;
        for worker in self.workers.drain(..) {
            // A worker that panicked has nothing left to clean up.
            drop(worker.join());
        }
    }
}

/// A pool of OCR workers and their engines. Cheap to clone; all clones share them.
///
/// Dropping the last clone waits for reads already running to finish.
#[derive(Clone)]
pub struct Ocr {
    shared: Arc<Shared>,
    timeout: Duration,
}

impl std::fmt::Debug for Ocr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ocr")
            .field("limits", &self.shared.limits)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

fn stopped() -> OcrError {
    OcrError::EngineUnavailable {
        reason: "the OCR workers have stopped".to_string(),
        packages: String::new(),
    }
}

impl Ocr {
    /// Checks the language data, loads one engine of the primary models (the
    /// first Chinese one and the Latin one) and starts `options.workers` workers
    /// (at least one) that share the engines; other engines load when first needed.
    pub fn start(options: OcrOptions) -> Result<Ocr, OcrError> {
        let engines = Arc::new(Engines::load(
            &options.languages,
            options.datapath.as_deref(),
        )?);
        let (jobs, queue) = mpsc::sync_channel::<Job>(options.queue);
        let queue = Arc::new(Mutex::new(queue));
        let waiting = Arc::new(AtomicUsize::new(0));
        let handles = (0..options.workers.max(1))
            .map(|index| {
                let queue = (Arc::clone(&queue), Arc::clone(&waiting));
                spawn_worker(index, Arc::clone(&engines), queue)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let shared = Shared {
            jobs: Some(jobs),
            workers: handles,
            engines,
            limits: ImageLimits {
                max_file_bytes: options.max_file_bytes,
                max_pixels: options.max_pixels,
            },
            owners: Owners::default(),
            waiting,
        };
        Ok(Ocr {
            shared: Arc::new(shared),
            timeout: options.timeout,
        })
    }

    /// Each model (Chinese models first, then the Latin one) and how many engines of
    /// it the process has loaded so far.
    pub fn loaded_engines(&self) -> Vec<LoadedEngines> {
        self.shared.engines.loaded()
    }

    /// A handle on the same engines whose reads give up after `timeout`.
    pub fn with_timeout(&self, timeout: Duration) -> Ocr {
        Ocr {
            shared: Arc::clone(&self.shared),
            timeout,
        }
    }

    /// Reads the text in an image (PNG, JPEG, WebP, GIF or BMP bytes).
    ///
    /// Needs a tokio runtime with the time driver enabled.
    pub async fn read(&self, image: Vec<u8>) -> Result<OcrText, OcrError> {
        self.read_with(image, None).await
    }

    /// Like `read` for `owner` (a sender), who may have only `PER_OWNER` images in
    /// the pool at once: one more is refused with `OcrError::OwnerBusy`.
    /// The place is taken when this is called, not when the future is first polled.
    pub fn read_as(
        &self,
        owner: i64,
        image: Vec<u8>,
    ) -> impl Future<Output = Result<OcrText, OcrError>> + Send + '_ {
        let slot = OwnerSlot::take(&self.shared.owners, owner);
        async move {
            let slot = slot.ok_or(OcrError::OwnerBusy)?;
            self.read_with(image, Some(slot)).await
        }
    }

    async fn read_with(
        &self,
        image: Vec<u8>,
        slot: Option<OwnerSlot>,
    ) -> Result<OcrText, OcrError> {
        let (sender, answer) = oneshot::channel();
        self.submit(image, Reply::Async(sender), slot)?;
        match tokio::time::timeout(self.timeout, answer).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(stopped()),
            Err(_) => Err(OcrError::Timeout(self.timeout)),
        }
    }

    /// Like `read`, blocking the calling thread; for the CLI, not for async code.
    pub fn read_blocking(&self, image: Vec<u8>) -> Result<OcrText, OcrError> {
        let (sender, answer) = mpsc::sync_channel(1);
        self.submit(image, Reply::Blocking(sender), None)?;
        match answer.recv_timeout(self.timeout) {
            Ok(outcome) => outcome,
            Err(RecvTimeoutError::Timeout) => Err(OcrError::Timeout(self.timeout)),
            Err(RecvTimeoutError::Disconnected) => Err(stopped()),
        }
    }

    /// Checks the header and queues the job, or says why not.
    fn submit(
        &self,
        image: Vec<u8>,
        reply: Reply,
        slot: Option<OwnerSlot>,
    ) -> Result<(), OcrError> {
        let header = picture::inspect(&image, self.shared.limits)?;
        let job = Job {
            image,
            header,
            deadline: Instant::now() + self.timeout,
            timeout: self.timeout,
            reply,
            _slot: slot,
        };
        let Some(jobs) = &self.shared.jobs else {
            return Err(stopped());
        };
        // Counted before it can be taken, so the count never drops below zero.
        self.shared.waiting.fetch_add(1, Ordering::SeqCst);
        let sent = jobs.try_send(job);
        if sent.is_err() {
            self.shared.waiting.fetch_sub(1, Ordering::SeqCst);
        }
        match sent {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(OcrError::Busy),
            Err(TrySendError::Disconnected(_)) => Err(stopped()),
        }
    }
}

/// The job queue and how many jobs wait in it.
type Queue = (Arc<Mutex<Receiver<Job>>>, Arc<AtomicUsize>);

/// Starts worker `index`, which serves `queue` with the shared `engines`.
fn spawn_worker(
    index: usize,
    engines: Arc<Engines>,
    queue: Queue,
) -> Result<JoinHandle<()>, OcrError> {
    thread::Builder::new()
        .name(format!("ocr-{index}"))
        .spawn(move || work(&engines, &queue))
        .map_err(|error| OcrError::EngineUnavailable {
            reason: format!("cannot start an OCR thread: {error}"),
            packages: String::new(),
        })
}

/// A worker's loop: take a job, read it, answer; stop when every `Ocr` is dropped.
fn work(engines: &Engines, (queue, waiting): &Queue) {
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else {
            return;
        };
        waiting.fetch_sub(1, Ordering::SeqCst);
        if let Some(error) = job.stop() {
            job.reply.send(Err(error));
            continue;
        }
        let started = Instant::now();
        // `stop` is asked once per segment (and a few times more): a segment count.
        let asked = Cell::new(0u32);
        let stop = || {
            asked.set(asked.get() + 1);
            job.stop()
                .or_else(|| job.give_way(started, asked.get(), waiting))
        };
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            // The reader's leases go back to `engines` when it is dropped.
            let mut reader = Reader::new(engines);
            read(&mut reader, &job.image, job.header, &stop)
        }))
        .unwrap_or_else(|_| Err(OcrError::EngineFailed("the OCR worker panicked".into())));
        let Job { reply, _slot, .. } = job;
        // The sender's place is free before they hear the answer.
        drop(_slot);
        reply.send(outcome);
    }
}

/// Decodes, recognises and tidies one image.
fn read(
    reader: &mut Reader<'_>,
    image: &[u8],
    header: Header,
    stop: &dyn Fn() -> Option<OcrError>,
) -> Outcome {
    let started = Instant::now();
    let gray = picture::to_gray(image, header)?;
    if let Some(error) = stop() {
        return Err(error);
    }
    let recognized = reader.read(&gray, stop)?;
    let text = text::tidy(&recognized.text);
    if !text::has_readable_text(&text) {
        return Err(OcrError::NoText);
    }
    Ok(OcrText {
        text,
        mean_confidence: recognized.mean_confidence,
        width: header.width,
        height: header.height,
        elapsed: started.elapsed(),
    })
}
