//! The error type of the photo pipeline.
//!
//! Every message is plain English and deliberately carries no file path, file
//! name or image metadata, so it can be logged or shown to the user without
//! leaking personal data. [`PhotoError::code`] gives a stable snake_case code
//! for the UI and for analytics.

/// Why a photo could not be turned into a display image and a thumbnail.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// The data is not a JPEG, PNG or WebP image (sniffed from magic bytes).
    #[error("the data is not a supported image (JPEG, PNG or WebP)")]
    NotAnImage,

    /// A HEIC or AVIF photo (the HEIF family, iPhones' default): recognised, but not decoded
    /// (see `DECISIONS.md`). The user can set the camera to JPEG or share the photo as JPEG.
    #[error("the photo is HEIC or AVIF, which is not supported; JPEG is")]
    HeicNotSupported,

    /// The image data ends early or is corrupt.
    #[error("the image data is truncated or corrupt")]
    Truncated,

    /// The header declares more pixels than [`super::Limits::max_pixels`].
    #[error("the image is too large: {width}x{height} pixels is over the pixel limit")]
    TooManyPixels {
        /// Declared width in pixels.
        width: u64,
        /// Declared height in pixels.
        height: u64,
    },

    /// The input is bigger than [`super::Limits::max_file_bytes`].
    #[error("the photo file is too large: {bytes} bytes, the limit is {limit} bytes")]
    FileTooLarge {
        /// Size of the input in bytes.
        bytes: u64,
        /// The configured limit in bytes.
        limit: u64,
    },

    /// The file could not be opened or read (missing, a directory, no permission...).
    #[error("the photo file could not be read")]
    Unreadable(#[source] std::io::Error),

    /// A valid image that uses a feature the decoders do not support
    /// (for example arithmetic-coded JPEG).
    #[error("the image uses a format feature that is not supported")]
    Unsupported,

    /// The output JPEG could not be encoded.
    #[error("the output image could not be encoded: {0}")]
    Encode(String),
}

impl PhotoError {
    /// A stable snake_case code for this error, for the UI, logs and analytics.
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::NotAnImage => "not_an_image",
            PhotoError::HeicNotSupported => "heic_not_supported",
            PhotoError::Truncated => "truncated_image",
            PhotoError::TooManyPixels { .. } => "too_many_pixels",
            PhotoError::FileTooLarge { .. } => "file_too_large",
            PhotoError::Unreadable(_) => "unreadable",
            PhotoError::Unsupported => "unsupported_image",
            PhotoError::Encode(_) => "encode_failed",
        }
    }
}
