//! A few connections that only read (sessions and pulls), so reads do not queue behind the one
//! writer: a free one if there is one, else the next in turn.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

/// Read connections of type `C`.
pub struct Readers<C> {
    connections: Vec<Mutex<C>>,
    next: AtomicUsize,
}

impl<C> Readers<C> {
    /// Readers over `connections` (at least one).
    pub fn new(connections: Vec<C>) -> Self {
        Readers {
            connections: connections.into_iter().map(Mutex::new).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// A free connection, or the next one in turn when all are busy.
    pub fn get(&self) -> MutexGuard<'_, C> {
        for connection in &self.connections {
            match connection.try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len().max(1);
        self.connections[turn]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Every connection, to close them.
    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut C> {
        self.connections
            .iter_mut()
            .map(|c| c.get_mut().unwrap_or_else(PoisonError::into_inner))
    }
}
