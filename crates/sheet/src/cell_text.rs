//! Rendering xlsx cell values as a person would have typed them.

use calamine::{DataRef, ExcelDateTime};

/// The text of a cell: strings as stored, numbers without exponent or a trailing ".0",
/// dates as YYYY-MM-DD.
pub(crate) fn cell_text(value: DataRef<'_>) -> String {
    match value {
        DataRef::String(s) => s,
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(f),
        DataRef::Bool(b) => if b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(d) => date_time(&d),
        DataRef::DateTimeIso(s) => match s.strip_suffix("T00:00:00") {
            Some(date) => date.to_string(),
            None => s.replacen('T', " ", 1),
        },
        DataRef::DurationIso(s) => s,
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// Whole numbers print as integers; others with at most 15 significant digits, which is
/// what Excel shows and keeps (so 0.1+0.2 reads "0.3"). Rust's `Display` for `f64` never
/// uses an exponent, so an ID number stored as a number comes back as digits (its last
/// three already lost to Excel, which the ID checksum will catch downstream).
pub(crate) fn number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{}", value as i64);
    }
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    format!("{rounded}")
}

fn date_time(d: &ExcelDateTime) -> String {
    if d.is_duration() {
        let seconds = (d.as_f64() * 86_400.0).round() as i64;
        let (sign, seconds) = if seconds < 0 {
            ("-", -seconds)
        } else {
            ("", seconds)
        };
        return format!(
            "{sign}{}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        );
    }
    let (year, month, day, hour, minute, second, _) = d.to_ymd_hms_milli();
    let time = format!("{hour:02}:{minute:02}:{second:02}");
    if d.as_f64() < 1.0 {
        time
    } else if (hour, minute, second) == (0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02} {time}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(number(13800001111.0), "13800001111");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(3.5), "3.5");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(110101199001011234.0), "110101199001011000");
        assert_eq!(number(1e-7), "0.0000001");
    }

    #[test]
    fn dates_and_times() {
        let dt = |v| DataRef::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        assert_eq!(cell_text(dt(32874.0)), "1990-01-01");
        assert_eq!(cell_text(dt(45943.5)), "2025-10-13 12:00:00");
        assert_eq!(cell_text(dt(0.75)), "18:00:00");
        let span = DataRef::DateTime(ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false));
        assert_eq!(cell_text(span), "36:00:00");
        assert_eq!(
            cell_text(DataRef::DateTimeIso("2024-02-29T00:00:00".into())),
            "2024-02-29"
        );
    }
}
