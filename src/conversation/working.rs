//! What a running turn says while the person waits: "Working…", the step the copilot is on,
//! and, once nothing has arrived for a few seconds, how long they have waited. What is shown
//! changes every second; what a screen reader hears changes only with the step and every ten
//! silent seconds, so it is told, not chattered at.

/// Silence (seconds since anything arrived) after which the time waited shows.
pub const SHOW_TIME_AFTER_S: u32 = 3;

/// How often, in silent seconds, a screen reader hears that the copilot is still working.
const ANNOUNCE_EVERY_S: u32 = 10;

use crate::i18n::Locale;

/// The working line of a running turn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Working {
    /// Shown: "Working… · Listing agents · 12 s".
    pub shown: String,
    /// Heard (a polite live region): "Working: Listing agents", "Still working (20 seconds)".
    pub heard: String,
}

/// The working line when `step` is the step running (or last reported), `elapsed_s` seconds
/// after the turn started and `silent_s` seconds after anything last arrived.
pub fn working(t: Locale, step: Option<&str>, elapsed_s: u32, silent_s: u32) -> Working {
    let step = step.map(str::trim).filter(|s| !s.is_empty());
    let mut shown = t.working();
    if let Some(step) = step {
        shown.push_str(" · ");
        shown.push_str(step);
    }
    if silent_s >= SHOW_TIME_AFTER_S {
        shown.push_str(" · ");
        shown.push_str(&t.waited(elapsed_s));
    }
    let heard = if silent_s >= ANNOUNCE_EVERY_S {
        let bucket = elapsed_s / ANNOUNCE_EVERY_S * ANNOUNCE_EVERY_S;
        t.still_working(&t.spoken_seconds(bucket))
    } else {
        match step {
            Some(step) => t.working_on(step),
            None => t.working(),
        }
    };
    Working { shown, heard }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_the_step_and_then_the_time_waited() {
        assert_eq!(
            working(Locale::En, None, 0, 0),
            Working {
                shown: "Working…".into(),
                heard: "Working…".into()
            }
        );
        let step = working(Locale::En, Some("Listing agents"), 2, 1);
        assert_eq!(step.shown, "Working… · Listing agents");
        assert_eq!(step.heard, "Working: Listing agents");
        let quiet = working(Locale::En, Some("Listing agents"), 12, 4);
        assert_eq!(quiet.shown, "Working… · Listing agents · 12 s");
        assert_eq!(quiet.heard, "Working: Listing agents", "not every second");
        assert_eq!(
            working(Locale::En, Some(" "), 75, 30).shown,
            "Working… · 1 min 15 s"
        );
        // Heard once per ten silent seconds.
        let heard: Vec<String> = [(19, 10), (21, 12), (29, 20), (30, 21), (70, 61)]
            .iter()
            .map(|&(elapsed, silent)| working(Locale::En, None, elapsed, silent).heard)
            .collect();
        assert_eq!(
            heard,
            [
                "Still working (10 seconds)",
                "Still working (20 seconds)",
                "Still working (20 seconds)",
                "Still working (30 seconds)",
                "Still working (1 minute 10 seconds)"
            ]
        );
        assert_eq!(Locale::En.spoken_seconds(60), "1 minute");
        let german = working(Locale::De, Some("Agenten auflisten"), 75, 30);
        assert_eq!(german.shown, "Arbeitet… · Agenten auflisten · 1 Min. 15 s");
        assert_eq!(german.heard, "Arbeitet noch (1 Minute 10 Sekunden)");
    }
}
