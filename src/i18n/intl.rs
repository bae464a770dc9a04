//! Plurals and times as the person's browser says them: `Intl.PluralRules` and
//! `Intl.DateTimeFormat` (in the person's time zone). Natively, where there is no `Intl` (the
//! tests), English and German's shared rule (one for exactly 1) and UTC stand in.

use super::Locale;

/// Whether `n` takes the singular in `locale`.
pub fn plural_is_one(locale: Locale, n: usize) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        browser::plural_is_one(locale, n)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = locale;
        n == 1
    }
}

/// How a time is said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeStyle {
    /// "13:05" (a turn's time).
    Clock,
    /// "1 Dec, 13:05" / "1. Dez., 13:05" (a recent conversation).
    Short,
    /// "1 December 2026 at 13:05" / "1. Dezember 2026 um 13:05" (who approved when).
    Long,
}

/// `epoch_ms` (milliseconds since 1970, UTC) said in `locale`'s way; empty when it is not a
/// time.
pub fn time(locale: Locale, epoch_ms: f64, style: TimeStyle) -> String {
    if !epoch_ms.is_finite() {
        return String::new();
    }
    #[cfg(target_arch = "wasm32")]
    {
        browser::time(locale, epoch_ms, style)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        native_time(locale, epoch_ms, style)
    }
}

/// Milliseconds since 1970 of a UTC date and time (the proleptic Gregorian calendar).
pub fn epoch_ms(year: i64, month: u32, day: u32, hour: u32, minute: u32) -> f64 {
    let (y, m) = if month <= 2 {
        (year - 1, i64::from(month) + 9)
    } else {
        (year, i64::from(month) - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60) * 1000) as f64
}

/// The UTC date of `epoch_ms`: (year, month, day, hour, minute).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn civil(epoch_ms: f64) -> (i64, u32, u32, u32, u32) {
    let seconds = (epoch_ms / 1000.0).floor() as i64;
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rest / 3600) as u32,
        (rest % 3600 / 60) as u32,
    )
}

#[cfg(not(target_arch = "wasm32"))]
fn native_time(locale: Locale, epoch_ms: f64, style: TimeStyle) -> String {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DE: [&str; 12] = [
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.",
        "Dez.",
    ];
    let (year, month, day, hour, minute) = civil(epoch_ms);
    let clock = format!("{hour:02}:{minute:02}");
    let m = (month - 1) as usize;
    match (style, locale) {
        (TimeStyle::Clock, _) => clock,
        (TimeStyle::Short, Locale::En) => format!("{day} {}, {clock}", EN[m]),
        (TimeStyle::Short, Locale::De) => format!("{day}. {}, {clock}", DE[m]),
        (TimeStyle::Long, Locale::En) => format!("{day} {} {year} at {clock} UTC", EN[m]),
        (TimeStyle::Long, Locale::De) => format!("{day}. {} {year} um {clock} UTC", DE[m]),
    }
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::RefCell;

    use js_sys::{Array, Date, Intl, Object, Reflect};
    use wasm_bindgen::JsValue;

    use super::{Locale, TimeStyle};

    // Made once per language (and style), on first use.
    thread_local! {
        static PLURALS: RefCell<[Option<Intl::PluralRules>; 2]> = const { RefCell::new([None, None]) };
        static TIMES: RefCell<[[Option<Intl::DateTimeFormat>; 3]; 2]> =
            const { RefCell::new([[None, None, None], [None, None, None]]) };
    }

    fn locales(locale: Locale) -> Array {
        Array::of1(&JsValue::from_str(locale.tag()))
    }

    fn options(pairs: &[(&str, &str)]) -> Object {
        let options = Object::new();
        for (key, value) in pairs {
            let _ = Reflect::set(&options, &(*key).into(), &(*value).into());
        }
        options
    }

    pub fn plural_is_one(locale: Locale, n: usize) -> bool {
        PLURALS.with(|rules| {
            let mut rules = rules.borrow_mut();
            let rule = rules[locale as usize]
                .get_or_insert_with(|| Intl::PluralRules::new(&locales(locale), &Object::new()));
            rule.select(n as f64) == "one"
        })
    }

    pub fn time(locale: Locale, epoch_ms: f64, style: TimeStyle) -> String {
        let format = TIMES.with(|formats| {
            formats.borrow_mut()[locale as usize][style as usize]
                .get_or_insert_with(|| {
                    let pairs: &[(&str, &str)] = match style {
                        // A 24-hour clock in both languages, as the panel always showed.
                        TimeStyle::Clock => &[
                            ("hour", "2-digit"),
                            ("minute", "2-digit"),
                            ("hourCycle", "h23"),
                        ],
                        TimeStyle::Short => &[
                            ("day", "numeric"),
                            ("month", "short"),
                            ("hour", "2-digit"),
                            ("minute", "2-digit"),
                            ("hourCycle", "h23"),
                        ],
                        TimeStyle::Long => &[
                            ("dateStyle", "long"),
                            ("timeStyle", "short"),
                            ("hourCycle", "h23"),
                        ],
                    };
                    Intl::DateTimeFormat::new(&locales(locale), &options(pairs))
                })
                .clone()
        });
        let date = Date::new(&JsValue::from_f64(epoch_ms));
        format
            .format()
            .call1(&JsValue::NULL, &date)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_go_to_milliseconds_and_back() {
        let ms = epoch_ms(2026, 12, 1, 13, 5);
        assert_eq!(ms, 1_796_130_300_000.0);
        assert_eq!(civil(ms), (2026, 12, 1, 13, 5));
        assert_eq!(civil(epoch_ms(2024, 2, 29, 0, 0)), (2024, 2, 29, 0, 0));
        assert_eq!(epoch_ms(1970, 1, 1, 0, 0), 0.0);
    }

    #[test]
    fn times_read_in_each_language() {
        let ms = epoch_ms(2026, 12, 1, 13, 5);
        assert_eq!(time(Locale::En, ms, TimeStyle::Clock), "13:05");
        assert_eq!(time(Locale::En, ms, TimeStyle::Short), "1 Dec, 13:05");
        assert_eq!(time(Locale::De, ms, TimeStyle::Short), "1. Dez., 13:05");
        assert_eq!(
            time(Locale::De, ms, TimeStyle::Long),
            "1. Dez. 2026 um 13:05 UTC"
        );
        assert_eq!(time(Locale::De, f64::NAN, TimeStyle::Long), "");
    }
}
