//! A push that carries the phone's clock ([`wire::DEVICE_CLOCK_HEADER`]) is checked against
//! this server's clock before anything in it is applied, so a phone that remembers this server
//! checks clocks may push before it pulls (one round trip fewer) and still never lets stamps of
//! a wrong clock leave.
//!
//! The phone's time is judged against when the request's head arrived, not its body (a batch
//! may take seconds to upload on a slow link). A clock off by more than
//! [`wire::CLOCK_TOLERANCE_MS`], or an entry stamped more than that ahead of this server's
//! time, refuses the whole push with `clock_wrong` (nothing applied): the phone then pulls,
//! which corrects its clock and re-stamps what waits, and pushes again. A push without the
//! header (an old phone, or one that has just pulled) is not checked here, as before.

use crate::error::ApiError;
use axum::http::HeaderMap;
use sentra_core::sync::wire::{self, PushEntry};

/// The phone's time named in [`wire::DEVICE_CLOCK_HEADER`], if it names one.
pub(crate) fn device_time(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(wire::DEVICE_CLOCK_HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|ms| *ms >= 0)
        .map(Some)
        .ok_or(ApiError::BadBody)
}

/// Refuses a push whose phone's clock, read when it sent, was off from `arrived` (when its head
/// arrived here) by more than the tolerance, or that carries an entry stamped ahead of it.
pub(crate) fn check(arrived: i64, device_time: i64, entries: &[PushEntry]) -> Result<(), ApiError> {
    let tolerance = wire::CLOCK_TOLERANCE_MS;
    let off = (arrived.saturating_sub(device_time)).abs() > tolerance;
    let ahead = entries
        .iter()
        .any(|e| e.change.hlc.millis > arrived.saturating_add(tolerance));
    if off || ahead {
        return Err(ApiError::ClockWrong);
    }
    Ok(())
}
