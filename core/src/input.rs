//! Input rules shared by every domain: text, numbers, phone numbers, NIB, dates and ids.
//!
//! Each domain builds a [`Checks`] for one call, runs every rule, and gets either the clean
//! values or one [`Error::Validation`] listing every field that failed, so a form can mark all of
//! its mistakes at once.

use crate::error::{Error, FieldError, Result, Rule};
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// The largest price or amount in rupiah that the core accepts: Rp 10 miliar per unit.
pub const MAX_RUPIAH: i64 = 10_000_000_000;
/// The largest quantity of one line, sale or stock movement.
pub const MAX_QUANTITY: i64 = 1_000_000_000;
/// The largest amount one sale or one order may come to: Rp 1 triliun. Sums of many of them
/// still fit in an `i64` many million times over.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// Collects field errors for one call.
#[derive(Debug, Default)]
pub(crate) struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn fail(&mut self, field: &'static str, rule: Rule) {
        self.errors.push(FieldError { field, rule });
    }

    /// Required text: trimmed, NFC-normalised, 1..=max characters, no control characters.
    pub(crate) fn text(&mut self, field: &'static str, value: &str, max: usize) -> String {
        let clean = self.optional_text(field, value, max);
        if clean.is_empty() && !self.errors.iter().any(|e| e.field == field) {
            self.fail(field, Rule::Required);
        }
        clean
    }

    /// Optional text: like [`Checks::text`] but may be empty. Newlines and tabs are allowed in
    /// long text (descriptions, addresses); other control characters are not.
    pub(crate) fn optional_text(&mut self, field: &'static str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        // Most text is already NFC (all ASCII is): the quick check spares composing it again.
        let clean: String = match unicode_normalization::is_nfc_quick(trimmed.chars()) {
            IsNormalized::Yes => trimmed.to_owned(),
            IsNormalized::No | IsNormalized::Maybe => trimmed.nfc().collect(),
        };
        if clean
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            self.fail(field, Rule::ControlCharacters);
        } else if clean.chars().count() > max {
            self.fail(field, Rule::TooLong);
        }
        clean
    }

    /// A single-line label: no newlines or tabs either.
    pub(crate) fn label(&mut self, field: &'static str, value: &str, max: usize) -> String {
        if value.trim().contains(['\n', '\t']) {
            self.fail(field, Rule::ControlCharacters);
            return String::new();
        }
        self.text(field, value, max)
    }

    /// An integer within `min..=max`.
    pub(crate) fn range(&mut self, field: &'static str, value: i64, min: i64, max: i64) -> i64 {
        if value < min || value > max {
            self.fail(field, Rule::OutOfRange);
        }
        value
    }

    /// A price or amount in integer rupiah, `0..=MAX_RUPIAH`.
    pub(crate) fn rupiah(&mut self, field: &'static str, value: i64) -> i64 {
        self.range(field, value, 0, MAX_RUPIAH)
    }

    /// A quantity, `1..=MAX_QUANTITY`.
    pub(crate) fn quantity(&mut self, field: &'static str, value: i64) -> i64 {
        self.range(field, value, 1, MAX_QUANTITY)
    }

    /// An Indonesian phone number, normalised to `+62…`.
    pub(crate) fn phone(&mut self, field: &'static str, value: &str) -> String {
        match normalise_phone(value) {
            Some(phone) => phone,
            None => {
                self.fail(field, Rule::Phone);
                String::new()
            }
        }
    }

    /// A calendar date in `YYYY-MM-DD`, between 2000-01-01 and 2100-12-31.
    pub(crate) fn date(&mut self, field: &'static str, value: &str) -> String {
        match parse_date(value) {
            Some(date) => date,
            None => {
                self.fail(field, Rule::Date);
                String::new()
            }
        }
    }

    /// Ends the checks: `Ok` when every rule held.
    pub(crate) fn finish(self) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.errors))
        }
    }
}

/// Normalises an Indonesian phone number to `+62` followed by 8 to 12 digits.
///
/// Accepts `0812-3456-7890`, `+62 812 3456 7890`, `62812…` and `812…`; spaces, dashes, dots and
/// brackets are ignored. Returns `None` for anything else.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let national = if let Some(n) = digits.strip_prefix("62") {
        n
    } else if plus {
        return None;
    } else if let Some(n) = digits.strip_prefix('0') {
        n
    } else {
        &digits
    };
    let ok = (8..=12).contains(&national.len()) && !national.starts_with('0');
    ok.then(|| format!("+62{national}"))
}

/// Parses a `YYYY-MM-DD` date between 2000 and 2100 and returns it in the same form.
pub(crate) fn parse_date(raw: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(raw.trim(), format).ok()?;
    (2000..=2100)
        .contains(&date.year())
        .then(|| date.to_string())
}

/// Checks a NIB (Nomor Induk Berusaha): exactly 13 digits.
pub(crate) fn is_nib(raw: &str) -> bool {
    raw.len() == 13 && raw.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_composed_whether_it_came_composed_or_not() {
        let mut checks = Checks::new();
        // "Kopi Gayo Café": typed with a combining accent, and already composed.
        assert_eq!(
            checks.text("name", "  Kopi Gayo Cafe\u{301} ", 80),
            "Kopi Gayo Caf\u{e9}"
        );
        assert_eq!(
            checks.text("name", "Kopi Gayo Caf\u{e9}", 80),
            "Kopi Gayo Caf\u{e9}"
        );
        assert_eq!(checks.text("name", " Tenun ikat ", 80), "Tenun ikat");
        // Composing first: 4 characters typed as 5 fit a limit of 4.
        assert_eq!(checks.text("name", "Cafe\u{301}", 4), "Caf\u{e9}");
        assert!(checks.finish().is_ok());
    }

    #[test]
    fn phone_numbers_in_every_local_form_normalise_to_plus_62() {
        for raw in [
            "0812-3456-7890",
            "+62 812 3456 7890",
            "6281234567890",
            "812 3456 7890",
        ] {
            assert_eq!(
                normalise_phone(raw).as_deref(),
                Some("+6281234567890"),
                "{raw}"
            );
        }
        assert_eq!(
            normalise_phone("(021) 555-1234").as_deref(),
            Some("+62215551234")
        );
    }

    #[test]
    fn phone_numbers_that_are_not_indonesian_are_refused() {
        for raw in [
            "",
            "12345",
            "+1 415 555 0100",
            "0812-abc",
            "0000000000",
            "08123456789012345",
        ] {
            assert_eq!(normalise_phone(raw), None, "{raw}");
        }
    }

    #[test]
    fn text_is_trimmed_and_control_characters_are_refused() {
        let mut checks = Checks::new();
        assert_eq!(checks.text("name", "  Kaos Batik  ", 10), "Kaos Batik");
        checks.text("bad", "ab\u{0007}c", 10);
        checks.text("long", "abcdefghijk", 10);
        checks.text("empty", "   ", 10);
        let err = checks.finish().unwrap_err();
        let rules: Vec<_> = err.fields().iter().map(|f| (f.field, f.rule)).collect();
        assert_eq!(
            rules,
            vec![
                ("bad", Rule::ControlCharacters),
                ("long", Rule::TooLong),
                ("empty", Rule::Required)
            ]
        );
    }

    #[test]
    fn dates_must_be_real_calendar_days() {
        assert_eq!(parse_date("2026-02-28").as_deref(), Some("2026-02-28"));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("1999-12-31"), None);
        assert_eq!(parse_date("28/02/2026"), None);
    }

    #[test]
    fn nib_is_thirteen_digits() {
        assert!(is_nib("1234567890123"));
        assert!(!is_nib("123456789012"));
        assert!(!is_nib("12345678901a3"));
    }
}
