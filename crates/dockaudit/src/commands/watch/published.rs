//! What the watcher publishes, shared between the watch loop (the one writer) and the HTTP server.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use dockaudit_report::Report;

/// The latest state of the watch, as the HTTP endpoints show it.
#[derive(Debug, Default, Clone)]
pub struct Published {
    /// The latest report (full audit, or re-judged after events); `None` before the first audit.
    pub report: Option<Arc<Report>>,
    /// The engine answers and its events are followed.
    pub engine_up: bool,
    /// Engine events received.
    pub events_seen: u64,
    /// Times the engine was lost and reached again.
    pub reconnects: u64,
    /// `die` events since start, by container name.
    pub restarts_by_name: BTreeMap<String, u64>,
    /// Seconds the latest full audit took.
    pub full_audit_seconds: f64,
    /// When the latest full audit finished (Unix seconds; 0: none yet).
    pub last_full_audit_unix: f64,
    /// When the findings were last re-judged (Unix seconds).
    pub last_update_unix: f64,
}

/// The state behind a lock: written by the watch loop, read by each request.
pub type Shared = Arc<RwLock<Published>>;

/// A copy of the state to answer from, without holding the lock while rendering (the report is
/// shared, not copied).
pub fn read(shared: &Shared) -> Published {
    match shared.read() {
        Ok(state) => state.clone(),
        // A writer that panicked left a consistent value behind (every write is one assignment).
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

/// Changes the state under the lock.
pub fn update(shared: &Shared, change: impl FnOnce(&mut Published)) {
    let mut state = match shared.write() {
        Ok(state) => state,
        Err(poisoned) => poisoned.into_inner(),
    };
    change(&mut state);
}
