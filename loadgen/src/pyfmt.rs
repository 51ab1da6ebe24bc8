//! Python's text forms of numbers and CSV rows, so the Locust-compatible files read exactly like
//! the ones Locust writes: `repr(float)` (shortest round-trip digits, `.0` on whole numbers,
//! exponent outside 1e-4..1e16) and `csv.writer` with its default dialect (minimal quoting, CRLF).

use std::fmt::Write as _;

/// A cell value as Python would hold it before `csv.writer` turns it into text.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(u64),
    Float(f64),
    Text(String),
}

impl Cell {
    /// The text `str(value)` gives in Python.
    pub fn render(&self) -> String {
        match self {
            Cell::Int(n) => n.to_string(),
            Cell::Float(x) => float_repr(*x),
            Cell::Text(s) => s.clone(),
        }
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Self {
        Cell::Int(n)
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Self {
        Cell::Float(x)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

/// Python's `repr(x)` for a float.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // Rust's `{:e}` yields the same shortest round-trip digits as Python's repr; only the layout
    // differs, so split it into sign, digits and exponent and lay it out Python's way.
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let ndigits = digits.len() as i32;
    let decpt = exp + 1;
    let mut out = String::from(sign);
    if -4 < decpt && decpt <= 16 {
        if decpt <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-decpt) as usize));
            out.push_str(&digits);
        } else if decpt >= ndigits {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', (decpt - ndigits) as usize));
            out.push_str(".0");
        } else {
            let (int, frac) = digits.split_at(decpt as usize);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    out
}

/// Python's `f"{x:2f}"`, which Locust uses for the history file's rates: six decimals.
pub fn fixed6(x: f64) -> String {
    format!("{x:.6}")
}

/// One row as Python's `csv.writer` writes it (default dialect: quote only when needed, CRLF).
pub fn csv_row<I>(cells: I) -> String
where
    I: IntoIterator<Item = Cell>,
{
    let mut line = String::new();
    let mut count = 0;
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_field(&mut line, &cell.render());
        count += 1;
    }
    if count == 1 && line.is_empty() {
        line.push_str("\"\"");
    }
    line.push_str("\r\n");
    line
}

/// A header row: every field is literal text.
pub fn csv_header(names: &[&str]) -> String {
    csv_row(names.iter().map(|n| Cell::from(*n)))
}

fn push_field(line: &mut String, field: &str) {
    let needs_quotes = field.contains([',', '"', '\r', '\n']);
    if needs_quotes {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (320.0, "320.0"),
            (0.30469400007859804, "0.30469400007859804"),
            (202.1100930663006, "202.1100930663006"),
            (4.680351906158358, "4.680351906158358"),
            (14.0, "14.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345e22, "1.2345e+22"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (12457.566129899218, "12457.566129899218"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "repr({x:e})");
        }
    }

    #[test]
    fn csv_quotes_like_python() {
        let row = csv_row([
            Cell::from("GET"),
            Cell::from("ConnectionRefusedError(111, 'Connection refused')"),
            Cell::from("say \"hi\""),
            Cell::Int(3),
            Cell::from(""),
        ]);
        assert_eq!(
            row,
            "GET,\"ConnectionRefusedError(111, 'Connection refused')\",\"say \"\"hi\"\"\",3,\r\n"
        );
    }

    #[test]
    fn fixed6_is_python_2f() {
        assert_eq!(fixed6(562.6666666666666), "562.666667");
        assert_eq!(fixed6(0.0), "0.000000");
    }
}
