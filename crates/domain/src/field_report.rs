//! What a report made in the field says about itself beyond its text: when it was recorded
//! on the phone (kept there while the network was down, it may arrive hours later) and how
//! sure its position is. Both become notes on the event for whoever verifies it; the
//! deadline still runs from when the report arrived.
use crate::date::format_local;

/// A report arriving later than this after it was recorded says when it was recorded.
pub const LATE_AFTER_MS: i64 = 5 * 60_000;
/// A position less sure than this is marked to be checked (a fix indoors or by cell towers).
pub const COARSE_OVER_M: f64 = 100.0;
/// Reports (and visits) kept on a phone longer than this are refused: the problem must be
/// seen again.
pub const MAX_AGE_MS: i64 = 7 * 86_400_000;
/// Phones' clocks run a little ahead at times.
pub const CLOCK_SLACK_MS: i64 = 120_000;

/// Why a field report's own facts are refused: the field and a Chinese reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub reason: String,
}

/// The notes a report recorded at `recorded_at_ms` with a position sure to `accuracy_m`
/// carries when it arrives at `now_ms`.
pub fn notes(
    recorded_at_ms: Option<i64>,
    accuracy_m: Option<f64>,
    now_ms: i64,
) -> Result<Vec<String>, Refusal> {
    let mut notes = Vec::new();
    if let Some(at) = recorded_at_ms {
        if at > now_ms + CLOCK_SLACK_MS {
            return Err(Refusal {
                field: "at_ms",
                reason: "记录时间晚于现在，请检查手机时间".into(),
            });
        }
        if at < now_ms - MAX_AGE_MS {
            return Err(Refusal {
                field: "at_ms",
                reason: "只能补报7天内记录的问题，请到现场重新核实后上报".into(),
            });
        }
        if now_ms - at > LATE_AFTER_MS {
            notes.push(format!("现场记录于{}，联网后送达", format_local(at)));
        }
    }
    if let Some(m) = accuracy_m {
        if !m.is_finite() || m < 0.0 {
            return Err(Refusal {
                field: "accuracy_m",
                reason: "定位精度应为不小于0的米数".into(),
            });
        }
        if m > COARSE_OVER_M {
            notes.push(format!("定位精度约{}米，位置待核实", m.round()));
        }
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-12-02 10:00 Shanghai.
    const NOW: i64 = 1_796_176_800_000;

    #[test]
    fn a_report_sent_at_once_with_a_good_fix_carries_no_note() {
        assert_eq!(notes(Some(NOW - 60_000), Some(12.0), NOW), Ok(vec![]));
        assert_eq!(notes(None, None, NOW), Ok(vec![]));
        assert_eq!(
            notes(Some(NOW - LATE_AFTER_MS), Some(COARSE_OVER_M), NOW),
            Ok(vec![])
        );
    }

    #[test]
    fn a_report_kept_on_the_phone_says_when_it_was_recorded() {
        let n = notes(Some(NOW - 2 * 3_600_000), None, NOW).unwrap();
        assert_eq!(
            n,
            vec!["现场记录于2026-12-02 08:00，联网后送达".to_string()]
        );
    }

    #[test]
    fn a_coarse_fix_is_marked_to_check() {
        let n = notes(None, Some(349.6), NOW).unwrap();
        assert_eq!(n, vec!["定位精度约350米，位置待核实".to_string()]);
    }

    #[test]
    fn times_ahead_of_the_clock_or_a_week_old_and_bad_accuracies_are_refused() {
        assert_eq!(
            notes(Some(NOW + CLOCK_SLACK_MS), None, NOW).map(|n| n.len()),
            Ok(0)
        );
        let ahead = notes(Some(NOW + CLOCK_SLACK_MS + 1), None, NOW).unwrap_err();
        assert_eq!(ahead.field, "at_ms");
        let old = notes(Some(NOW - MAX_AGE_MS - 1), None, NOW).unwrap_err();
        assert!(old.reason.contains("7天"), "{old:?}");
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(notes(None, Some(bad), NOW).unwrap_err().field, "accuracy_m");
        }
    }
}
