//! Errors, in two tiers.
//!
//! [`Error`] is the detailed error that every fallible call in the core returns. It keeps the
//! underlying cause (SQLite, I/O) for logs. [`ErrorCode`] is the small, stable public face of it:
//! a snake_case code that an app can switch on and localise, with a message in Bahasa Indonesia
//! and in English. Validation failures also carry [`FieldError`]s naming the field and the rule.
//!
//! No message here ever contains a value the user typed: a phone number or a name must not end
//! up in a crash report.

use std::fmt;

/// The result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more inputs broke a rule. Each [`FieldError`] names the field.
    #[error("invalid input: {}", describe_fields(.0))]
    Validation(Vec<FieldError>),
    /// The thing asked for does not exist (or was deleted).
    #[error("{entity} not found")]
    NotFound {
        /// The kind of thing, such as `product` or `order`.
        entity: &'static str,
    },
    /// An order was asked to move to a state its current state cannot reach.
    #[error("an order cannot go from {from} to {to}")]
    InvalidTransition {
        /// The order's current status.
        from: &'static str,
        /// The status that was asked for.
        to: &'static str,
    },
    /// The file exists but is not a Sentra database (another app's SQLite file, or not SQLite).
    #[error("the file is not a Sentra database")]
    NotSentraDatabase,
    /// The database file is damaged.
    #[error("the database file is damaged")]
    DatabaseCorrupt(#[source] rusqlite::Error),
    /// The database was written by a newer version of Sentra.
    #[error(
        "the database was written by a newer Sentra (schema {found}, this build knows {known})"
    )]
    SchemaTooNew {
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this build knows.
        known: i64,
    },
    /// The disk is full.
    #[error("the device storage is full")]
    StorageFull(#[source] rusqlite::Error),
    /// Any other SQLite failure.
    #[error("storage failure")]
    Storage(#[source] rusqlite::Error),
    /// A file could not be read or written.
    #[error("file access failure")]
    Io(#[from] std::io::Error),
    /// A photo could not be made into images (not an image, truncated, too big, unreadable).
    #[error("photo refused: {0}")]
    Photo(#[from] crate::photos::PhotoError),
    /// The server could not be reached, or refused (with its stable code).
    #[error("network: {0}")]
    Network(String),
    /// Stored data could not be decoded; a bug or a damaged row.
    #[error("stored data could not be read: {0}")]
    Decode(String),
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match err.sqlite_error_code() {
            Some(C::DatabaseCorrupt) => Error::DatabaseCorrupt(err),
            Some(C::NotADatabase) => Error::NotSentraDatabase,
            Some(C::DiskFull) => Error::StorageFull(err),
            _ => Error::Storage(err),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::Decode(err.to_string())
    }
}

impl Error {
    /// The stable public code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Validation(_) => ErrorCode::Validation,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::InvalidTransition { .. } => ErrorCode::InvalidTransition,
            Error::NotSentraDatabase => ErrorCode::NotSentraDatabase,
            Error::DatabaseCorrupt(_) => ErrorCode::DatabaseCorrupt,
            Error::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            Error::StorageFull(_) => ErrorCode::StorageFull,
            // ENOSPC, or EFBIG from a file-size limit: either way there is no room to write.
            Error::Io(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::StorageFull | std::io::ErrorKind::FileTooLarge
                ) =>
            {
                ErrorCode::StorageFull
            }
            Error::Storage(_) | Error::Io(_) => ErrorCode::Storage,
            Error::Photo(photo) => photo_code(photo),
            Error::Network(_) => ErrorCode::Network,
            Error::Decode(_) => ErrorCode::Internal,
        }
    }

    /// The field errors of a validation failure; empty for every other error.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            Error::Validation(fields) => fields,
            _ => &[],
        }
    }

    /// Shorthand for a validation error on one field.
    pub fn field(field: &'static str, rule: Rule) -> Self {
        Error::Validation(vec![FieldError { field, rule }])
    }
}

fn photo_code(err: &crate::photos::PhotoError) -> ErrorCode {
    use crate::photos::PhotoError as P;
    match err {
        P::NotAnImage => ErrorCode::NotAnImage,
        P::HeicNotSupported => ErrorCode::HeicNotSupported,
        P::Truncated => ErrorCode::TruncatedImage,
        P::TooManyPixels { .. } => ErrorCode::TooManyPixels,
        P::FileTooLarge { .. } => ErrorCode::FileTooLarge,
        P::Unreadable(_) => ErrorCode::UnreadableFile,
        P::Unsupported => ErrorCode::UnsupportedImage,
        P::Encode(_) => ErrorCode::Internal,
    }
}

fn describe_fields(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{} ({})", f.field, f.rule.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A language for user-facing text. Bahasa Indonesia comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Bahasa Indonesia, the default.
    #[default]
    Id,
    /// English.
    En,
}

/// The stable public error codes. Apps switch on these; they never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// An input broke a rule; see the field errors.
    Validation,
    /// The thing asked for does not exist.
    NotFound,
    /// An order cannot move to the status asked for.
    InvalidTransition,
    /// The file is not a Sentra database.
    NotSentraDatabase,
    /// The database file is damaged.
    DatabaseCorrupt,
    /// The database comes from a newer app version.
    SchemaTooNew,
    /// The device storage is full.
    StorageFull,
    /// Reading or writing storage failed.
    Storage,
    /// The chosen file is not a JPEG, PNG or WebP image.
    NotAnImage,
    /// The photo is HEIC or AVIF (an iPhone's default): the camera should save JPEG
    /// ("Most Compatible"), or the photo be shared as JPEG.
    HeicNotSupported,
    /// The image file is cut short or damaged.
    TruncatedImage,
    /// The image has more pixels than allowed (50 MP).
    TooManyPixels,
    /// The file is larger than allowed.
    FileTooLarge,
    /// The file could not be opened or read.
    UnreadableFile,
    /// The image uses a format feature that is not supported.
    UnsupportedImage,
    /// The server could not be reached or refused the request.
    Network,
    /// The server refused a sign-in: a wrong phone, name or secret, or too many wrong tries
    /// (the server's own code says which).
    SignInRefused,
    /// A bug: something that should not happen did.
    Internal,
}

impl ErrorCode {
    /// Every code, for exhaustive tests and for apps building lookup tables.
    pub const ALL: [ErrorCode; 18] = [
        ErrorCode::Validation,
        ErrorCode::NotFound,
        ErrorCode::InvalidTransition,
        ErrorCode::NotSentraDatabase,
        ErrorCode::DatabaseCorrupt,
        ErrorCode::SchemaTooNew,
        ErrorCode::StorageFull,
        ErrorCode::Storage,
        ErrorCode::NotAnImage,
        ErrorCode::HeicNotSupported,
        ErrorCode::TruncatedImage,
        ErrorCode::TooManyPixels,
        ErrorCode::FileTooLarge,
        ErrorCode::UnreadableFile,
        ErrorCode::UnsupportedImage,
        ErrorCode::Network,
        ErrorCode::SignInRefused,
        ErrorCode::Internal,
    ];

    /// The code as a stable snake_case string.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Validation => "validation",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::NotSentraDatabase => "not_sentra_database",
            ErrorCode::DatabaseCorrupt => "database_corrupt",
            ErrorCode::SchemaTooNew => "schema_too_new",
            ErrorCode::StorageFull => "storage_full",
            ErrorCode::Storage => "storage",
            ErrorCode::NotAnImage => "not_an_image",
            ErrorCode::HeicNotSupported => "heic_not_supported",
            ErrorCode::TruncatedImage => "truncated_image",
            ErrorCode::TooManyPixels => "too_many_pixels",
            ErrorCode::FileTooLarge => "file_too_large",
            ErrorCode::UnreadableFile => "unreadable_file",
            ErrorCode::UnsupportedImage => "unsupported_image",
            ErrorCode::Network => "network",
            ErrorCode::SignInRefused => "sign_in_refused",
            ErrorCode::Internal => "internal",
        }
    }

    /// A message a person understands, in the language asked for.
    pub fn message(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ErrorCode::Validation, Lang::Id) => "Ada isian yang belum benar.",
            (ErrorCode::Validation, Lang::En) => "Some fields are not filled in correctly.",
            (ErrorCode::NotFound, Lang::Id) => "Data tidak ditemukan.",
            (ErrorCode::NotFound, Lang::En) => "Not found.",
            (ErrorCode::InvalidTransition, Lang::Id) => {
                "Status pesanan tidak bisa diubah seperti itu."
            }
            (ErrorCode::InvalidTransition, Lang::En) => "The order cannot change to that status.",
            (ErrorCode::NotSentraDatabase, Lang::Id) => "Berkas ini bukan data Sentra.",
            (ErrorCode::NotSentraDatabase, Lang::En) => "This file is not Sentra data.",
            (ErrorCode::DatabaseCorrupt, Lang::Id) => {
                "Data di ponsel rusak. Sinkronkan ulang untuk memulihkan."
            }
            (ErrorCode::DatabaseCorrupt, Lang::En) => {
                "The data on this phone is damaged. Sync again to recover it."
            }
            (ErrorCode::SchemaTooNew, Lang::Id) => {
                "Data ini dibuat oleh versi Sentra yang lebih baru. Perbarui aplikasi."
            }
            (ErrorCode::SchemaTooNew, Lang::En) => {
                "This data was made by a newer Sentra. Update the app."
            }
            (ErrorCode::StorageFull, Lang::Id) => "Memori ponsel penuh. Kosongkan sedikit ruang.",
            (ErrorCode::StorageFull, Lang::En) => "The phone's storage is full. Free some space.",
            (ErrorCode::Storage, Lang::Id) => "Gagal menyimpan atau membaca data.",
            (ErrorCode::Storage, Lang::En) => "Could not save or read data.",
            (ErrorCode::NotAnImage, Lang::Id) => "Berkas ini bukan foto (JPEG, PNG, atau WebP).",
            (ErrorCode::NotAnImage, Lang::En) => "This file is not a photo (JPEG, PNG or WebP).",
            (ErrorCode::HeicNotSupported, Lang::Id) => {
                "Foto HEIC/AVIF belum bisa dipakai. Di iPhone: Pengaturan > Kamera > Format, \
                 pilih \"Paling Kompatibel\", lalu foto ulang; atau kirim fotonya sebagai JPEG."
            }
            (ErrorCode::HeicNotSupported, Lang::En) => {
                "HEIC/AVIF photos cannot be used yet. On an iPhone: Settings > Camera > Formats, \
                 choose \"Most Compatible\", then take the photo again; or share it as JPEG."
            }
            (ErrorCode::TruncatedImage, Lang::Id) => "Foto rusak atau tidak lengkap.",
            (ErrorCode::TruncatedImage, Lang::En) => "The photo is damaged or incomplete.",
            (ErrorCode::TooManyPixels, Lang::Id) => "Foto terlalu besar (lebih dari 50 MP).",
            (ErrorCode::TooManyPixels, Lang::En) => "The photo is too large (over 50 MP).",
            (ErrorCode::FileTooLarge, Lang::Id) => {
                "Berkas foto terlalu besar (lebih dari 30 MB). Di kamera, matikan mode 50/108/200 MP \
                 atau pilih resolusi 12 MP, lalu foto ulang."
            }
            (ErrorCode::FileTooLarge, Lang::En) => {
                "The photo file is too large (over 30 MB). In the camera, turn off the 50/108/200 MP \
                 mode or choose 12 MP, then take the photo again."
            }
            (ErrorCode::UnreadableFile, Lang::Id) => "Berkas foto tidak bisa dibuka.",
            (ErrorCode::UnreadableFile, Lang::En) => "The photo file cannot be opened.",
            (ErrorCode::UnsupportedImage, Lang::Id) => "Jenis foto ini belum didukung.",
            (ErrorCode::UnsupportedImage, Lang::En) => "This kind of photo is not supported yet.",
            (ErrorCode::Network, Lang::Id) => "Tidak bisa terhubung ke server. Coba lagi nanti.",
            (ErrorCode::Network, Lang::En) => "Could not reach the server. Try again later.",
            (ErrorCode::SignInRefused, Lang::Id) => {
                "Masuk ditolak: periksa nomor HP atau nama dan PIN-nya. Setelah beberapa kali salah, tunggu sebentar."
            }
            (ErrorCode::SignInRefused, Lang::En) => {
                "Sign-in refused: check the phone number or name and the PIN. After several wrong tries, wait a while."
            }
            (ErrorCode::Internal, Lang::Id) => "Terjadi kesalahan di aplikasi.",
            (ErrorCode::Internal, Lang::En) => "Something went wrong in the app.",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field that broke one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's stable name, as in the input struct (`phone`, `variants[2].price`...).
    pub field: &'static str,
    /// The rule it broke.
    pub rule: Rule,
}

/// The validation rules, each with a stable code and a message in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A required field is empty.
    Required,
    /// Text is longer than allowed.
    TooLong,
    /// Text contains control characters.
    ControlCharacters,
    /// A number is outside its allowed range.
    OutOfRange,
    /// Not an Indonesian phone number.
    Phone,
    /// A NIB must be 13 digits.
    Nib,
    /// Not a known Kemendagri region code.
    RegionCode,
    /// A date is not a valid `YYYY-MM-DD` date, or out of range.
    Date,
    /// Not a valid id.
    Id,
    /// A value appears twice where it must be unique.
    Duplicate,
    /// A variant's tier values do not match the product's tiers.
    Tiers,
    /// The referenced thing does not exist.
    Unknown,
    /// A PIN must be 6 digits.
    Pin,
    /// A value of the wrong type (text where a number belongs, …): only a broken or hostile
    /// app sends one.
    WrongType,
    /// A field fixed when the thing was created (its parent, who made it, when) cannot change.
    Immutable,
    /// Not a server address (`https://…`).
    ServerUrl,
    /// A plain `http://` address outside this machine and its local network: a PIN would
    /// travel in the clear.
    Https,
}

impl Rule {
    /// The rule as a stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::TooLong => "too_long",
            Rule::ControlCharacters => "control_characters",
            Rule::OutOfRange => "out_of_range",
            Rule::Phone => "phone",
            Rule::Nib => "nib",
            Rule::RegionCode => "region_code",
            Rule::Date => "date",
            Rule::Id => "id",
            Rule::Duplicate => "duplicate",
            Rule::Tiers => "tiers",
            Rule::Unknown => "unknown",
            Rule::Pin => "pin",
            Rule::ServerUrl => "server_url",
            Rule::Https => "https",
            Rule::WrongType => "wrong_type",
            Rule::Immutable => "immutable",
        }
    }

    /// A message a person understands, in the language asked for.
    pub fn message(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Rule::Required, Lang::Id) => "Wajib diisi.",
            (Rule::Required, Lang::En) => "Required.",
            (Rule::TooLong, Lang::Id) => "Terlalu panjang.",
            (Rule::TooLong, Lang::En) => "Too long.",
            (Rule::ControlCharacters, Lang::Id) => "Berisi karakter yang tidak diizinkan.",
            (Rule::ControlCharacters, Lang::En) => "Contains characters that are not allowed.",
            (Rule::OutOfRange, Lang::Id) => "Angka di luar batas yang diizinkan.",
            (Rule::OutOfRange, Lang::En) => "The number is outside the allowed range.",
            (Rule::Phone, Lang::Id) => "Nomor HP tidak valid. Contoh: 0812 3456 7890.",
            (Rule::Phone, Lang::En) => "Not a valid phone number. Example: 0812 3456 7890.",
            (Rule::Nib, Lang::Id) => "NIB harus 13 angka.",
            (Rule::Nib, Lang::En) => "A NIB must be 13 digits.",
            (Rule::RegionCode, Lang::Id) => "Kode wilayah tidak dikenal.",
            (Rule::RegionCode, Lang::En) => "Unknown region code.",
            (Rule::Date, Lang::Id) => "Tanggal tidak valid.",
            (Rule::Date, Lang::En) => "Not a valid date.",
            (Rule::Id, Lang::Id) => "Kode data tidak valid.",
            (Rule::Id, Lang::En) => "Not a valid id.",
            (Rule::Duplicate, Lang::Id) => "Sudah ada, tidak boleh dobel.",
            (Rule::Duplicate, Lang::En) => "Already used; must be unique.",
            (Rule::Tiers, Lang::Id) => "Pilihan varian tidak sesuai dengan jenis varian produk.",
            (Rule::Tiers, Lang::En) => "The variant options do not match the product's tiers.",
            (Rule::Pin, Lang::Id) => "PIN harus 6 angka.",
            (Rule::Pin, Lang::En) => "A PIN must be 6 digits.",
            (Rule::Unknown, Lang::Id) => "Data yang dirujuk tidak ditemukan.",
            (Rule::Unknown, Lang::En) => "The referenced item does not exist.",
            (Rule::WrongType, Lang::Id) => "Jenis isian salah.",
            (Rule::WrongType, Lang::En) => "The value has the wrong type.",
            (Rule::Immutable, Lang::Id) => "Tidak dapat diubah setelah dibuat.",
            (Rule::Immutable, Lang::En) => "Cannot be changed once created.",
            (Rule::ServerUrl, Lang::Id) => "Alamat server tidak valid. Contoh: https://sentra.id",
            (Rule::ServerUrl, Lang::En) => "Not a server address. Example: https://sentra.id",
            (Rule::Https, Lang::Id) => {
                "Alamat server harus diawali https:// (http:// hanya untuk server di jaringan lokal)."
            }
            (Rule::Https, Lang::En) => {
                "The server address must start with https:// (http:// only for a server on the local network)."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_stable_string_and_messages_in_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()));
            assert!(!code.message(Lang::Id).is_empty());
            assert_ne!(code.message(Lang::Id), code.message(Lang::En));
        }
    }
}
