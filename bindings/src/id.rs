//! Turning what crosses the boundary as text or `i64` into the core's types: ids are strings
//! on the app side, page bounds are `i64` (Kotlin has no comfortable unsigned numbers).

use crate::error::{Result, SentraError};
use sentra_core::{Id, Rule};

/// Parses an id the app passed, reporting a bad one against `field`.
pub(crate) fn parse(field: &'static str, raw: &str) -> Result<Id> {
    Ok(Id::parse(field, raw)?)
}

/// An offset and limit as the core takes them; a negative or huge one is out of range.
pub(crate) fn page(offset: i64, limit: i64) -> Result<(u32, u32)> {
    let offset =
        u32::try_from(offset).map_err(|_| SentraError::invalid("offset", Rule::OutOfRange))?;
    let limit =
        u32::try_from(limit).map_err(|_| SentraError::invalid("limit", Rule::OutOfRange))?;
    Ok((offset, limit))
}
