//! `/favicon.ico`: the small brand mark browsers ask every site for (a 32 px "S" on the
//! header's colour, a PNG inside an ICO file), so the tab shows it instead of a 404.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// The icon's bytes.
pub const ICON: &[u8] = include_bytes!("favicon.ico");

/// The icon's route.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/favicon.ico", get(icon))
}

async fn icon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=604800"),
        ],
        ICON,
    )
}
