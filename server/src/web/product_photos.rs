//! The public photos of listed products, by content hash, and their smaller copies (so a
//! phone on 2G gets a photo that fits its screen, not the 1280 px display image; see
//! [`crate::photos::read_copy`]), including the square a catalogue card shows
//! (`/foto/{hash}/kartu`, [`crate::photos::read_card`]). Photos of anything else are not
//! public.

use crate::error::ApiError;
use crate::replica::refused;
use crate::{AppState, blocking, photos};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The photos' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/foto/{hash}", get(photo))
        .route("/foto/{hash}/{edge}", get(photo_copy))
}

/// A photo of a listed product, by content hash: cached for a year (a hash never changes its
/// bytes) with its hash as the ETag. Photos of anything else are not public.
async fn photo(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve_photo(state, hash, Size::Photo, headers).await
}

/// Which bytes of a photo an address asks for.
#[derive(Clone, Copy)]
enum Size {
    /// The photo itself (the phone's 1280 px display image).
    Photo,
    /// A copy whose long edge is one of [`photos::COPY_EDGES`].
    Copy(u32),
    /// The catalogue card's square copy.
    Card,
}

/// A smaller copy of a listed product's photo (`/foto/{hash}/400`, or `/foto/{hash}/kartu`
/// for a card's square): made with the core's pipeline on first request and kept beside the
/// photos ([`photos::read_copy`], [`photos::read_card`]).
async fn photo_copy(
    State(state): State<AppState>,
    Path((hash, edge)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let size = if edge == photos::CARD_COPY {
        Size::Card
    } else {
        edge.parse::<u32>()
            .ok()
            .filter(|e| photos::COPY_EDGES.contains(e))
            .map(Size::Copy)
            .ok_or(ApiError::PhotoNotFound)?
    };
    serve_photo(state, hash, size, headers).await
}

async fn serve_photo(
    state: AppState,
    hash: String,
    size: Size,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    use sentra_core::photos::copies::{CARD_EDGE, CARD_QUALITY};
    photos::check_hash(&hash)?;
    // A card copy's tag names its settings: other settings make other bytes.
    let etag = match size {
        Size::Photo => format!("\"{hash}\""),
        Size::Copy(edge) => format!("\"{hash}-{edge}\""),
        Size::Card => format!("\"{hash}-kartu-{CARD_EDGE}-q{CARD_QUALITY}\""),
    };
    let (for_check, blobs) = (hash.clone(), state.blobs.clone());
    let public = blocking(move || {
        // The page that links the photo refreshed the replica; no pull per image.
        state
            .replica_as_is()?
            .core()
            .photo_is_public(&for_check)
            .map_err(refused)
    })
    .await?;
    if !public {
        return Err(ApiError::PhotoNotFound);
    }
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let bytes = blocking(move || {
        match size {
            Size::Photo => photos::read(&*blobs, &hash),
            Size::Copy(edge) => photos::read_copy(&*blobs, &hash, edge),
            Size::Card => photos::read_card(&*blobs, &hash),
        }?
        .ok_or(ApiError::PhotoNotFound)
    })
    .await?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, value);
    }
    Ok(response)
}
