//! Group commit. A push that arrives while a group is being written waits for its answer
//! without holding a thread; when that group is done, the writer takes every push waiting by
//! then and writes them in one transaction, with one flush to disk, and answers each. Under load
//! that turns a flush per request into a flush per group, while each entry stays whole or not at
//! all and nothing is answered before it is durable.
//!
//! One blocking thread writes at a time, group after group, for as long as pushes wait. Before,
//! each waiting push held a thread of tokio's blocking pool until its answer came: hundreds of
//! threads at 1,000 devices, each woken in turn.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::oneshot;

/// How a group is written: one answer per job, in order.
type Write<J, R> = Box<dyn Fn(Vec<J>) -> Vec<R> + Send + Sync>;

struct State<J, R> {
    /// Jobs waiting for the next group, each with where its answer goes.
    waiting: Vec<(J, oneshot::Sender<R>)>,
    /// A thread is writing groups.
    writing: bool,
}

/// Jobs of type `J` waiting to be written, answered with `R`.
pub struct Group<J, R> {
    state: Mutex<State<J, R>>,
    write: Write<J, R>,
}

/// The job was never answered: the write of its group panicked.
#[derive(Debug)]
pub struct Unanswered;

impl<J: Send + 'static, R: Send + 'static> Group<J, R> {
    /// A group written by `write`, which runs on a blocking thread.
    pub fn new(write: impl Fn(Vec<J>) -> Vec<R> + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(Group {
            state: Mutex::new(State {
                waiting: Vec::new(),
                writing: false,
            }),
            write: Box::new(write),
        })
    }

    fn state(&self) -> MutexGuard<'_, State<J, R>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes `job` in the next group and waits for its answer. A job whose caller stops
    /// waiting is still written (it was handed over).
    pub async fn submit(self: &Arc<Self>, job: J) -> Result<R, Unanswered> {
        let (sender, answer) = oneshot::channel();
        let start = {
            let mut state = self.state();
            state.waiting.push((job, sender));
            !std::mem::replace(&mut state.writing, true)
        };
        if start {
            let group = Arc::clone(self);
            tokio::task::spawn_blocking(move || group.write_all());
        }
        answer.await.map_err(|_| Unanswered)
    }

    /// Writes group after group until nothing waits.
    fn write_all(&self) {
        loop {
            let waiting = {
                let mut state = self.state();
                if state.waiting.is_empty() {
                    state.writing = false;
                    return;
                }
                std::mem::take(&mut state.waiting)
            };
            let (jobs, senders): (Vec<J>, Vec<_>) = waiting.into_iter().unzip();
            // A group whose write panics goes unanswered (its senders are dropped here), and
            // the next group is written.
            let written =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.write)(jobs)));
            if let Ok(answers) = written {
                for (sender, answer) in senders.into_iter().zip(answers) {
                    // A caller that stopped waiting has nobody to answer.
                    let _ = sender.send(answer);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Group;
    use std::sync::{Arc, Mutex};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_jobs_are_each_answered_once_and_written_in_fewer_groups() {
        let sizes = Arc::new(Mutex::new(Vec::<usize>::new()));
        let written = sizes.clone();
        let group = Group::new(move |jobs: Vec<u32>| {
            written.lock().unwrap().push(jobs.len());
            std::thread::sleep(std::time::Duration::from_millis(2));
            jobs.into_iter().map(|j| j * 10).collect()
        });
        let tasks: Vec<_> = (0..64)
            .map(|n| {
                let group = group.clone();
                tokio::spawn(async move { (n, group.submit(n).await.unwrap()) })
            })
            .collect();
        for task in tasks {
            let (n, answer) = task.await.unwrap();
            assert_eq!(answer, n * 10);
        }
        let sizes = sizes.lock().unwrap();
        assert_eq!(sizes.iter().sum::<usize>(), 64, "every job written once");
        assert!(sizes.len() < 64, "some jobs shared a group: {sizes:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_group_that_panics_goes_unanswered_and_the_next_push_is_written() {
        let group = Group::new(|jobs: Vec<u32>| {
            assert!(!jobs.contains(&1), "the disk went away");
            jobs
        });
        assert!(group.submit(1).await.is_err());
        assert_eq!(group.submit(2).await.unwrap(), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_job_whose_caller_stopped_waiting_is_still_written() {
        let (gate, opened) = std::sync::mpsc::channel::<()>();
        let opened = Mutex::new(opened);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let written = seen.clone();
        let group = Group::new(move |jobs: Vec<u32>| {
            if jobs.contains(&1) {
                // The first group waits until the test lets it go.
                opened.lock().unwrap().recv().unwrap();
            }
            written.lock().unwrap().extend(jobs.iter().copied());
            jobs
        });
        let first = tokio::spawn({
            let group = group.clone();
            async move { group.submit(1).await }
        });
        // Job 2 waits behind the first group; its caller gives up.
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), async {
            while group.state().waiting.is_empty() && !group.state().writing {
                tokio::task::yield_now().await;
            }
            group.submit(2).await
        })
        .await;
        assert!(
            waiting.is_err(),
            "job 2 was not answered before the first group"
        );
        gate.send(()).unwrap();
        assert_eq!(first.await.unwrap().unwrap(), 1);
        assert_eq!(group.submit(3).await.unwrap(), 3);
        assert_eq!(*seen.lock().unwrap(), vec![1, 2, 3]);
    }
}
