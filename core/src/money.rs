//! Money: integer rupiah, written the Indonesian way (`Rp 15.000`).

/// Formats an amount of rupiah with dots between thousands: `Rp 15.000`, `-Rp 2.500`.
pub fn format_rupiah(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    if amount < 0 {
        format!("-Rp {grouped}")
    } else {
        format!("Rp {grouped}")
    }
}

#[cfg(test)]
mod tests {
    use super::format_rupiah;

    #[test]
    fn rupiah_use_dots_between_thousands() {
        assert_eq!(format_rupiah(0), "Rp 0");
        assert_eq!(format_rupiah(950), "Rp 950");
        assert_eq!(format_rupiah(15_000), "Rp 15.000");
        assert_eq!(format_rupiah(1_250_000), "Rp 1.250.000");
        assert_eq!(format_rupiah(-2_500), "-Rp 2.500");
    }
}
