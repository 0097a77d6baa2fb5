//! Per-chat ordering: updates of one chat are handled one after another, in update
//! order, while different chats run concurrently.
//!
//! Invariants: `turn` is called synchronously in update order; each handler waits for
//! the previous handler of its chat to finish (or to be dropped) before it runs.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::oneshot;

/// Sweep finished entries once the map holds this many chats.
const SWEEP_AT: usize = 10_000;

/// The tail of each chat's queue.
#[derive(Default)]
pub struct ChatOrder {
    tails: Mutex<HashMap<i64, oneshot::Receiver<()>>>,
}

/// A place in a chat's queue: wait for `previous`, then signal `done`.
pub struct Turn {
    previous: Option<oneshot::Receiver<()>>,
    done: oneshot::Sender<()>,
}

impl Turn {
    /// Waits until the previous handler of the chat finished. Cancel-safe: dropped
    /// before it returns, it waits again in full the next time.
    pub async fn wait(&mut self) {
        if let Some(previous) = self.previous.as_mut() {
            let _ = previous.await;
            self.previous = None;
        }
    }

    /// Whether the chat's previous handler is still running (so this one must wait).
    pub fn busy(&mut self) -> bool {
        let running = self.previous.as_mut().is_some_and(|previous| {
            previous.try_recv() == Err(oneshot::error::TryRecvError::Empty)
        });
        if !running {
            self.previous = None;
        }
        running
    }

    /// Lets the next handler of the chat run.
    pub fn finish(self) {
        let _ = self.done.send(());
    }
}

impl ChatOrder {
    /// Takes the next place in `chat_id`'s queue.
    pub fn turn(&self, chat_id: i64) -> Turn {
        let (done, rx) = oneshot::channel();
        let mut tails = self.tails.lock().unwrap_or_else(|e| e.into_inner());
        if tails.len() >= SWEEP_AT {
            tails.retain(|_, rx| rx.is_empty() && !rx.is_terminated());
        }
        let previous = tails.insert(chat_id, rx);
        Turn { previous, done }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn a_turn_knows_whether_the_chat_is_busy() {
        let order = ChatOrder::default();
        let mut first = order.turn(1);
        assert!(!first.busy(), "nothing ran before");
        let mut second = order.turn(1);
        assert!(second.busy(), "the first has not finished");
        assert!(!order.turn(2).busy(), "chats are apart");
        first.finish();
        assert!(!second.busy());
        second.wait().await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_given_up_waits_again_in_full() {
        let order = ChatOrder::default();
        let first = order.turn(1);
        let mut second = order.turn(1);
        let pause = std::time::Duration::from_secs(1);
        let given_up = tokio::time::timeout(pause, second.wait()).await;
        assert!(given_up.is_err(), "the first has not finished");
        assert!(second.busy(), "still behind the first");
        first.finish();
        second.wait().await;
    }

    #[tokio::test]
    async fn handlers_of_one_chat_run_in_order() {
        let order = ChatOrder::default();
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for i in 0..5 {
            let mut turn = order.turn(1);
            let log = Arc::clone(&log);
            handles.push(tokio::spawn(async move {
                turn.wait().await;
                tokio::task::yield_now().await;
                log.lock().unwrap().push(i);
                turn.finish();
            }));
        }
        for handle in handles.into_iter().rev() {
            handle.await.unwrap();
        }
        assert_eq!(*log.lock().unwrap(), [0, 1, 2, 3, 4]);
    }
}
