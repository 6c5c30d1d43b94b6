//! Dates and clock times in words, one set of rules for the pages and the packets:
//! "Monday, April 13" / "Lunes 13 de abril", "April 13, 2020" / "13 de abril de 2020",
//! "9:05 AM" / "9:05 a. m.".

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};

/// A language's names of days, months and the two halves of the day.
pub struct DateWords {
    spanish: bool,
    /// Monday first, as they are written inside a sentence.
    weekdays: [&'static str; 7],
    months: [&'static str; 12],
    am: &'static str,
    pm: &'static str,
}

pub static EN: DateWords = DateWords {
    spanish: false,
    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    am: "AM",
    pm: "PM",
};

pub static ES: DateWords = DateWords {
    spanish: true,
    weekdays: [
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ],
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    am: "a. m.",
    pm: "p. m.",
};

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl DateWords {
    fn weekday(&self, d: NaiveDate) -> &'static str {
        self.weekdays[d.weekday().num_days_from_monday() as usize]
    }

    fn month(&self, d: NaiveDate) -> &'static str {
        self.months[d.month0() as usize]
    }

    /// "Mon" / "lun": the day's name cut to three letters, for short times ("Mon 10:30 AM").
    pub fn short_weekday(&self, d: NaiveDate) -> String {
        let name: String = self.weekday(d).chars().take(3).collect();
        if self.spanish {
            name
        } else {
            capitalized(&name)
        }
    }

    /// "April 13, 2020" / "13 de abril de 2020".
    pub fn long_date(&self, d: NaiveDate) -> String {
        if self.spanish {
            format!("{} de {} de {}", d.day(), self.month(d), d.year())
        } else {
            format!("{} {}, {}", self.month(d), d.day(), d.year())
        }
    }

    /// A due date inside a sentence: "Thursday, April 16, 2020" / "jueves 16 de abril de 2020"
    /// (the Spanish weekday in lower case, as Spanish writes it after "Entregar el:"); without
    /// the year when `year` is false.
    pub fn due_date(&self, d: NaiveDate, year: bool) -> String {
        match (self.spanish, year) {
            (true, true) => format!(
                "{} {} de {} de {}",
                self.weekday(d),
                d.day(),
                self.month(d),
                d.year()
            ),
            (true, false) => format!("{} {} de {}", self.weekday(d), d.day(), self.month(d)),
            (false, true) => format!(
                "{}, {} {}, {}",
                self.weekday(d),
                self.month(d),
                d.day(),
                d.year()
            ),
            (false, false) => format!("{}, {} {}", self.weekday(d), self.month(d), d.day()),
        }
    }

    /// "Monday, April 13" / "Lunes 13 de abril", as a heading.
    pub fn day_heading(&self, d: NaiveDate) -> String {
        if self.spanish {
            format!(
                "{} {} de {}",
                capitalized(self.weekday(d)),
                d.day(),
                self.month(d)
            )
        } else {
            format!("{}, {} {}", self.weekday(d), self.month(d), d.day())
        }
    }

    /// "Monday, April 13 – Friday, April 17, 2020" /
    /// "Del lunes 13 de abril al viernes 17 de abril de 2020".
    pub fn date_range(&self, first: NaiveDate, last: NaiveDate) -> String {
        if self.spanish {
            format!(
                "Del {} {} de {} al {} {} de {} de {}",
                self.weekday(first),
                first.day(),
                self.month(first),
                self.weekday(last),
                last.day(),
                self.month(last),
                last.year()
            )
        } else {
            format!(
                "{} – {}, {}",
                self.day_heading(first),
                self.day_heading(last),
                last.year()
            )
        }
    }

    /// "9:05 AM" / "9:05 a. m.", `space` between the time and its half of the day: a no-break
    /// space on pages, so the time never splits; an ordinary one in PDFs, so text extraction
    /// finds it.
    pub fn clock(&self, t: NaiveTime, space: char) -> String {
        let (pm, h) = t.hour12();
        format!(
            "{h}:{:02}{space}{}",
            t.minute(),
            if pm { self.pm } else { self.am }
        )
    }
}
