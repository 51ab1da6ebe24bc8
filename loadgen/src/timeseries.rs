//! `timeseries.csv`: one row per second of the run with exact percentiles of the requests that
//! completed in that second only (format: `docs/results-format.md`).

use std::io::{self, Write};

use crate::stats::SecondRow;

pub const HEADER: &str = "elapsed_s,users,requests,failures,rps,p50_ms,p95_ms,p99_ms,max_ms\n";

fn ms(us: Option<u64>) -> String {
    us.map(|us| format!("{:.3}", us as f64 / 1e3))
        .unwrap_or_default()
}

/// A window end: whole seconds print as integers, a fractional run time's last row as is.
fn seconds(s: f64) -> String {
    if s.fract() == 0.0 {
        format!("{}", s as u64)
    } else {
        format!("{:.3}", s)
    }
}

pub fn write<W: Write>(out: &mut W, rows: &[SecondRow]) -> io::Result<()> {
    out.write_all(HEADER.as_bytes())?;
    for row in rows {
        let rps = if row.length_s > 0.0 {
            row.requests as f64 / row.length_s
        } else {
            0.0
        };
        writeln!(
            out,
            "{},{},{},{},{:.3},{},{},{},{}",
            seconds(row.end_s),
            row.users,
            row.requests,
            row.failures,
            rps,
            ms(row.p50_us),
            ms(row.p95_us),
            ms(row.p99_us),
            ms(row.max_us),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_match_the_documented_example() {
        let rows = [
            SecondRow {
                end_s: 1.0,
                length_s: 1.0,
                users: 10,
                requests: 4,
                failures: 0,
                p50_us: Some(412),
                p95_us: Some(977),
                p99_us: Some(977),
                max_us: Some(977),
            },
            SecondRow {
                end_s: 2.5,
                length_s: 0.5,
                users: 10,
                requests: 0,
                failures: 0,
                p50_us: None,
                p95_us: None,
                p99_us: None,
                max_us: None,
            },
        ];
        let mut out = Vec::new();
        write(&mut out, &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "elapsed_s,users,requests,failures,rps,p50_ms,p95_ms,p99_ms,max_ms\n1,10,4,0,4.000,0.412,0.977,0.977,0.977\n2.500,10,0,0,0.000,,,,\n"
        );
    }
}
