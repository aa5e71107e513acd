//! Group commit. A push that arrives while another group is being written waits; when that
//! group is done, the first push that waited writes every waiting push in one transaction, with
//! one flush to disk, and answers each. Under load that turns a flush per request into a flush
//! per group, while each entry stays whole or not at all and nothing is answered before it is
//! durable.

use std::sync::{Mutex, MutexGuard, PoisonError, mpsc};

/// What a waiting push hears.
enum Message<R> {
    /// Its answer: it was written.
    Answer(R),
    /// The writer is free and this push is first in line: it writes the next group.
    Lead,
}

struct State<J, R> {
    /// Pushes waiting for the next group, each with where its messages go.
    waiting: Vec<(J, mpsc::Sender<Message<R>>)>,
    /// Someone is writing a group (or has been told to write the next).
    leading: bool,
}

/// Jobs of type `J` waiting to be written, answered with `R`.
pub struct Group<J, R> {
    state: Mutex<State<J, R>>,
}

impl<J, R> Default for Group<J, R> {
    fn default() -> Self {
        Group {
            state: Mutex::new(State {
                waiting: Vec::new(),
                leading: false,
            }),
        }
    }
}

/// The push was never answered: whoever was writing it panicked.
#[derive(Debug)]
pub struct Unanswered;

impl<J, R> Group<J, R> {
    fn state(&self) -> MutexGuard<'_, State<J, R>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes `job` in a group. If nobody is writing, this thread writes at once; otherwise it
    /// waits, and either hears its answer or is told to write the next group (everything
    /// waiting by then), with `writer` (which takes the connection) and `run` (which writes a
    /// group and returns one answer per job, in order). Waiters sleep on their own channel,
    /// never on the connection, so a written push returns as soon as its group is durable.
    pub fn submit<W>(
        &self,
        job: J,
        writer: impl FnOnce() -> W,
        run: impl FnOnce(&mut W, Vec<J>) -> Vec<R>,
    ) -> Result<R, Unanswered> {
        let (sender, messages) = mpsc::channel();
        let lead_now = {
            let mut state = self.state();
            state.waiting.push((job, sender));
            !std::mem::replace(&mut state.leading, true)
        };
        let mut work = Some((writer, run));
        if lead_now {
            self.lead(work.take().ok_or(Unanswered)?);
        }
        loop {
            match messages.recv() {
                Ok(Message::Answer(answer)) => return Ok(answer),
                // A thread leads at most once: its own job is in the group it writes.
                Ok(Message::Lead) => self.lead(work.take().ok_or(Unanswered)?),
                Err(_) => return Err(Unanswered),
            }
        }
    }

    /// Writes everything waiting as one group, answers each, then hands the writing on to the
    /// first push that arrived meanwhile.
    fn lead<W>(&self, (writer, run): (impl FnOnce() -> W, impl FnOnce(&mut W, Vec<J>) -> Vec<R>)) {
        // Handed on even if `run` panics (that group's waiters then hear nothing: Unanswered).
        let _hand_on = HandOn(self);
        let mut held = writer();
        let waiting = std::mem::take(&mut self.state().waiting);
        let (jobs, senders): (Vec<J>, Vec<_>) = waiting.into_iter().unzip();
        let answers = run(&mut held, jobs);
        drop(held);
        for (sender, answer) in senders.into_iter().zip(answers) {
            // A waiter that is gone has nobody to answer.
            let _ = sender.send(Message::Answer(answer));
        }
    }
}

/// Hands the writing on to the first push waiting, or frees it, when a group is done.
struct HandOn<'a, J, R>(&'a Group<J, R>);

impl<J, R> Drop for HandOn<'_, J, R> {
    fn drop(&mut self) {
        let mut state = self.0.state();
        loop {
            match state.waiting.first() {
                Some((_, next)) if next.send(Message::Lead).is_ok() => return,
                // That waiter is gone: its push goes unwritten, and the next one leads.
                Some(_) => {
                    state.waiting.remove(0);
                }
                None => {
                    state.leading = false;
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Group;
    use std::sync::{Arc, Mutex};

    #[test]
    fn concurrent_jobs_are_each_answered_once_and_written_in_fewer_groups() {
        let group: Arc<Group<u32, u32>> = Arc::default();
        let writer = Arc::new(Mutex::new(Vec::<usize>::new()));
        let threads: Vec<_> = (0..64)
            .map(|n| {
                let (group, writer) = (group.clone(), writer.clone());
                std::thread::spawn(move || {
                    let answer = group
                        .submit(
                            n,
                            || writer.lock().unwrap(),
                            |sizes, jobs| {
                                sizes.push(jobs.len());
                                std::thread::sleep(std::time::Duration::from_millis(2));
                                jobs.into_iter().map(|j| j * 10).collect()
                            },
                        )
                        .unwrap();
                    assert_eq!(answer, n * 10);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let sizes = writer.lock().unwrap();
        assert_eq!(sizes.iter().sum::<usize>(), 64, "every job written once");
        assert!(sizes.len() < 64, "some jobs shared a group: {sizes:?}");
    }

    #[test]
    fn a_group_that_panics_goes_unanswered_and_the_next_push_is_written() {
        let group: Group<u32, u32> = Group::default();
        let writer = Mutex::new(());
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            group.submit(1, || writer.lock(), |_, _| panic!("the disk went away"))
        }));
        assert!(failed.is_err());
        let answer = group.submit(2, || writer.lock(), |_, jobs| jobs);
        assert_eq!(answer.unwrap(), 2);
    }
}
