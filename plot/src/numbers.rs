//! Number formatting shared by the pictures and the README table: thousands separators,
//! fixed decimals, and axis ticks. Pure functions, so every output is byte-stable.

/// `1234567.891` with 1 decimal → `1,234,567.9`.
pub fn grouped(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::with_capacity(text.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A count: `1650000` → `1,650,000`.
pub fn count(value: u64) -> String {
    grouped(value as f64, 0)
}

/// The smallest "round" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) at or above `value`:
/// axis maxima that start at zero and end on a readable tick.
pub fn nice_ceiling(value: f64) -> f64 {
    if !(value.is_finite() && value > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    let steps = [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0];
    let fraction = value / magnitude;
    let step = steps
        .iter()
        .copied()
        .find(|s| *s >= fraction - 1e-9)
        .unwrap_or(10.0);
    step * magnitude
}

/// A tick step giving about `target` ticks from 0 to `max`: 1, 2 or 5 × 10^k.
pub fn tick_step(max: f64, target: usize) -> f64 {
    let raw = max / target.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let step = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    step * magnitude
}

/// A tick label: grouped thousands, as many decimals as the value needs (at most 3), so
/// whatever step the axis picked, neighbouring labels never look equal.
pub fn tick_label(value: f64) -> String {
    let text = grouped(value, 3);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(1_234_567.891, 1), "1,234,567.9");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(-1000.5, 2), "-1,000.50");
        assert_eq!(count(1_650_000), "1,650,000");
    }

    #[test]
    fn nice_ceilings_are_round_and_not_below() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(3300.0), 4000.0);
        assert_eq!(nice_ceiling(1000.0), 1000.0);
        assert!((nice_ceiling(0.0123) - 0.015).abs() < 1e-12);
        assert_eq!(nice_ceiling(9100.0), 10000.0);
    }

    #[test]
    fn tick_labels_use_enough_decimals() {
        assert_eq!(tick_label(0.5), "0.5");
        assert_eq!(tick_label(2.0), "2");
        assert_eq!(tick_label(2000.0), "2,000");
        assert_eq!(tick_label(0.0125), "0.013");
        assert_eq!(tick_label(-0.0), "0");
    }
}
