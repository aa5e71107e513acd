//! The one public error of the bindings.
//!
//! Every failure reaches Kotlin, Swift and Python as `SentraError` (Kotlin: `SentraException`),
//! with one variant per stable code of the core's [`sentra_core::ErrorCode`], so an app can
//! `catch` the case it handles. Every variant carries the same fields: the [`ErrorCode`] itself
//! (for code that maps any error to a message), the core's readable message in Bahasa Indonesia
//! and in English, the fields that broke a rule, and, for a request the server refused, the
//! server's own stable code (`bad_credentials`, `unauthorized`...). As in the core, no message
//! carries a value the user typed.

use sentra_core::Lang;

/// One field that broke one rule, as the core reports it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct FieldProblem {
    /// The field's stable name, as in the input record (`phone`, `variants[2].price`...).
    pub field: String,
    /// The rule's stable code (`required`, `phone`, `too_long`...).
    pub rule: String,
    /// What to fix, in Bahasa Indonesia.
    pub message_id: String,
    /// What to fix, in English.
    pub message_en: String,
}

/// Declares the public codes once: the [`ErrorCode`] enum, the [`SentraError`] variants and
/// the mapping from the core's codes, so the three can never drift apart.
macro_rules! public_errors {
    ($($(#[doc = $doc:literal])* $name:ident,)*) => {
        /// The stable public error codes, the same as the core's. Apps switch on these and
        /// localise them; they never change meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $name,)*
        }

        impl From<sentra_core::ErrorCode> for ErrorCode {
            fn from(code: sentra_core::ErrorCode) -> Self {
                match code {
                    $(sentra_core::ErrorCode::$name => ErrorCode::$name,)*
                }
            }
        }

        impl From<ErrorCode> for sentra_core::ErrorCode {
            fn from(code: ErrorCode) -> Self {
                match code {
                    $(ErrorCode::$name => sentra_core::ErrorCode::$name,)*
                }
            }
        }

        /// Every failure of a call, one variant per [`ErrorCode`].
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
        pub enum SentraError {
            $(
                $(#[doc = $doc])*
                #[error("{code:?}: {message_en}")]
                $name {
                    /// The stable code (the same as the variant).
                    code: ErrorCode,
                    /// What happened, in Bahasa Indonesia.
                    message_id: String,
                    /// What happened, in English.
                    message_en: String,
                    /// For a validation failure, each field and the rule it broke.
                    fields: Vec<FieldProblem>,
                    /// For a request the server refused, the server's stable code.
                    server_code: Option<String>,
                },
            )*
        }

        impl SentraError {
            /// The error for `code`, with the core's messages in both languages.
            pub(crate) fn new(code: ErrorCode, fields: Vec<FieldProblem>, server_code: Option<String>) -> Self {
                let core = sentra_core::ErrorCode::from(code);
                let message_id = core.message(Lang::Id).to_owned();
                let message_en = core.message(Lang::En).to_owned();
                match code {
                    $(ErrorCode::$name => SentraError::$name {
                        code,
                        message_id,
                        message_en,
                        fields,
                        server_code,
                    },)*
                }
            }

            /// The stable code of this error.
            pub fn code(&self) -> ErrorCode {
                match self {
                    $(SentraError::$name { code, .. } => *code,)*
                }
            }
        }
    };
}

public_errors! {
    /// An input broke a rule; see the field problems.
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
    /// The server refused a sign-in (see the server's code: `bad_credentials`,
    /// `too_many_attempts`, `locked_out`).
    SignInRefused,
    /// A bug: something that should not happen did.
    Internal,
}

impl From<sentra_core::Error> for SentraError {
    fn from(err: sentra_core::Error) -> Self {
        let fields = err
            .fields()
            .iter()
            .map(|f| FieldProblem {
                field: f.field.to_owned(),
                rule: f.rule.as_str().to_owned(),
                message_id: f.rule.message(Lang::Id).to_owned(),
                message_en: f.rule.message(Lang::En).to_owned(),
            })
            .collect();
        SentraError::new(err.code().into(), fields, None)
    }
}

impl From<sentra_core::sync::engine::TransportError> for SentraError {
    fn from(err: sentra_core::sync::engine::TransportError) -> Self {
        use sentra_core::sync::engine::TransportError as T;
        match err {
            T::Refused { code } if is_sign_in_refusal(&code) => {
                SentraError::new(ErrorCode::SignInRefused, Vec::new(), Some(code))
            }
            T::Refused { code } => SentraError::new(ErrorCode::Network, Vec::new(), Some(code)),
            T::Transient(_) => SentraError::new(ErrorCode::Network, Vec::new(), None),
        }
    }
}

/// The server's codes for a sign-in it refused: the person's to fix, not the network's.
fn is_sign_in_refusal(code: &str) -> bool {
    matches!(code, "bad_credentials" | "too_many_attempts" | "locked_out")
}

impl SentraError {
    /// An error for an input the bindings cannot even hand to the core (an id that is not
    /// an id), reported the way the core reports a broken rule.
    pub(crate) fn invalid(field: &str, rule: sentra_core::Rule) -> Self {
        let problem = FieldProblem {
            field: field.to_owned(),
            rule: rule.as_str().to_owned(),
            message_id: rule.message(Lang::Id).to_owned(),
            message_en: rule.message(Lang::En).to_owned(),
        };
        SentraError::new(ErrorCode::Validation, vec![problem], None)
    }

    /// The error for a background task that died (a panic in the core): a bug.
    pub(crate) fn internal() -> Self {
        SentraError::new(ErrorCode::Internal, Vec::new(), None)
    }
}

/// The result of every fallible call of the bindings.
pub type Result<T, E = SentraError> = std::result::Result<T, E>;

/// Every public error code, in the core's order: apps build lookup tables from it, and the
/// error-mapping tests walk it.
#[uniffi::export]
pub fn all_error_codes() -> Vec<ErrorCode> {
    sentra_core::ErrorCode::ALL
        .into_iter()
        .map(ErrorCode::from)
        .collect()
}

/// The stable snake_case string of a code (`not_found`), as the server and logs write it.
#[uniffi::export]
pub fn error_code_string(code: ErrorCode) -> String {
    sentra_core::ErrorCode::from(code).as_str().to_owned()
}

/// The core's message for a code: Bahasa Indonesia unless `english`.
#[uniffi::export]
pub fn error_message(code: ErrorCode, english: bool) -> String {
    let lang = if english { Lang::En } else { Lang::Id };
    sentra_core::ErrorCode::from(code).message(lang).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_has_its_own_variant_carrying_it_with_both_messages() {
        let mut variants = std::collections::HashSet::new();
        for core in sentra_core::ErrorCode::ALL {
            let code = ErrorCode::from(core);
            assert_eq!(sentra_core::ErrorCode::from(code), core);
            let error = SentraError::new(code, Vec::new(), None);
            assert_eq!(error.code(), code);
            assert!(variants.insert(std::mem::discriminant(&error)));
            assert_eq!(error_code_string(code), core.as_str());
            assert_eq!(error_message(code, false), core.message(Lang::Id));
            assert_eq!(error_message(code, true), core.message(Lang::En));
        }
        assert_eq!(all_error_codes().len(), sentra_core::ErrorCode::ALL.len());
    }

    #[test]
    fn a_validation_failure_names_each_field_and_rule_in_both_languages() {
        let core = sentra_core::Error::Validation(vec![sentra_core::FieldError {
            field: "phone",
            rule: sentra_core::Rule::Phone,
        }]);
        let SentraError::Validation { fields, .. } = SentraError::from(core) else {
            panic!("a validation error must stay a validation error");
        };
        assert_eq!(fields.len(), 1);
        assert_eq!(
            (fields[0].field.as_str(), fields[0].rule.as_str()),
            ("phone", "phone")
        );
        assert_ne!(fields[0].message_id, fields[0].message_en);
    }
}
