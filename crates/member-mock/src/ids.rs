//! Random identifiers in the API's style.

/// 32 lowercase hexadecimal characters, like the API's member and policy ids.
pub(crate) fn random_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// A `cf-ray` value: 16 hexadecimal characters and `-MOCK` (the real API
/// ends with the data centre's code).
pub(crate) fn cf_ray() -> String {
    format!("{:016x}-MOCK", rand::random::<u64>())
}

/// Now, in UTC, as the API writes its timestamps
/// (`2026-03-02T09:14:27.512903Z`).
pub(crate) fn now() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_micros()
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_514), (2026, 3, 2));
        assert_eq!(super::civil_from_days(11_016), (2000, 2, 29));
        let now = super::now();
        assert_eq!(now.len(), "2026-03-02T09:14:27.512903Z".len(), "{now}");
    }
}
