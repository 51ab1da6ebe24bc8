//! Durations as people type them on the command line and in the original suite's environment:
//! `500` (seconds), `500s`, `1.5s`, `250ms`, `8m20s`, `2h`, `1h30m`.

use std::time::Duration;

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration '{input}': expected seconds or a combination like 500s, 8m20s, 2h, 250ms"
)]
pub struct DurationError {
    input: String,
}

/// Parses a duration; see the module documentation for the accepted forms.
pub fn parse_duration(input: &str) -> Result<Duration, DurationError> {
    let err = || DurationError {
        input: input.to_owned(),
    };
    let text = input.trim();
    if text.is_empty() {
        return Err(err());
    }
    if let Ok(seconds) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).map_err(|_| err());
    }
    let mut total = 0.0f64;
    let mut rest = text;
    let mut last_rank = usize::MAX;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(err)?;
        if number_len == 0 {
            return Err(err());
        }
        let value: f64 = rest[..number_len].parse().map_err(|_| err())?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let (rank, factor) = match &rest[..unit_len] {
            "h" => (0, 3600.0),
            "m" => (1, 60.0),
            "s" => (2, 1.0),
            "ms" => (3, 0.001),
            _ => return Err(err()),
        };
        // Units must come largest first and only once: "20s8m" is more likely a typo than intent.
        if last_rank != usize::MAX && rank <= last_rank {
            return Err(err());
        }
        last_rank = rank;
        total += value * factor;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).map_err(|_| err())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_forms() {
        let s = Duration::from_secs;
        assert_eq!(parse_duration("500"), Ok(s(500)));
        assert_eq!(parse_duration("500s"), Ok(s(500)));
        assert_eq!(parse_duration("8m20s"), Ok(s(500)));
        assert_eq!(parse_duration("2h"), Ok(s(7200)));
        assert_eq!(parse_duration("1h30m"), Ok(s(5400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0"), Ok(s(0)));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in ["", "abc", "5x", "-3", "20s8m", "1m1m", "m", "1.2.3s", "nan"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(
            parse_duration("5x").unwrap_err().to_string(),
            "invalid duration '5x': expected seconds or a combination like 500s, 8m20s, 2h, 250ms"
        );
    }
}
