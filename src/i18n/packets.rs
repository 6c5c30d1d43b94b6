//! The words of the printed weekly packet (PDF and print-ready HTML), in English and Spanish,
//! and the date and time forms it prints ("Week of April 13, 2020", "Miércoles 15 de abril",
//! "9:00 AM"). The cover speaks to families (usted); the day pages speak to the student (tú).

use super::dates::DateWords;
use super::Lang;
use chrono::{NaiveDate, NaiveTime};

/// The packet's words in one language.
pub struct PacketStrings {
    /// Cover title and document title.
    pub packet_title: &'static str,
    /// "Week of" before a long date: "Week of April 13, 2020".
    pub week_of: &'static str,
    /// "Page" … "2" … "of" … "6".
    pub page: &'static str,
    pub of: &'static str,
    /// Lines on the cover for the student to fill in.
    pub student_name: &'static str,
    pub teacher_name: &'static str,
    pub how_to_watch: &'static str,
    pub channels_intro: &'static str,
    pub antenna_tip: &'static str,
    pub captions_tip: &'static str,
    pub spanish_audio_tip: &'static str,
    pub how_to_use: &'static str,
    pub qr_feed: &'static str,
    pub qr_week: &'static str,
    pub nothing_this_week: &'static str,
    pub nothing_this_week_hint: &'static str,
    pub nothing_today: &'static str,
    /// The same two, in a class's packet.
    pub nothing_this_week_class: &'static str,
    pub nothing_today_class: &'static str,
    /// Before a class's grades on its cover: "Grades 4, 5".
    pub grades: &'static str,
    /// Links to a class's packet on the teacher's classes page.
    pub class_packet_pdf: &'static str,
    pub class_packet_print: &'static str,
    pub weekend: &'static str,
    pub continued: &'static str,
    pub col_time: &'static str,
    pub col_channel: &'static str,
    pub col_lesson: &'static str,
    /// Short markers printed beside an airing.
    pub captions_mark: &'static str,
    pub spanish_audio_mark: &'static str,
    pub work_to_do: &'static str,
    /// Before the airings a piece of work may be watched at: "Watch one of".
    pub watch_one_of: &'static str,
    pub materials: &'static str,
    pub due: &'static str,
    pub minutes: &'static str,
    pub until: &'static str,
    pub answers: &'static str,
    /// Days, months and times in words, as the pages write them.
    pub dates: &'static DateWords,
}

static EN: PacketStrings = PacketStrings {
    packet_title: "Weekly learning packet",
    week_of: "Week of",
    page: "Page",
    of: "of",
    student_name: "Student's name",
    teacher_name: "Teacher",
    how_to_watch: "How to watch",
    channels_intro: "This week's lessons are on free over-the-air public TV, on these channels:",
    antenna_tip: "No cable or internet needed: any TV with an antenna works. If a channel is \
        missing, run a channel scan from your TV's menu (Setup > Channels > Auto scan). Point \
        the antenna toward a window and scan again if the picture breaks up.",
    captions_tip: "CC: the lesson has captions. Turn them on with your TV's CC or subtitle \
        button.",
    spanish_audio_tip: "SAP: the lesson can be heard in Spanish. Choose SAP or Spanish in your \
        TV's audio menu.",
    how_to_use: "Inside there is a page for each school day. Watch each lesson at the time \
        shown, then do the work below it and write your answers on the lines. Bring this \
        packet back to school.",
    qr_feed:
        "Scan to put every lesson in your phone's calendar: the page says how, for each phone.",
    qr_week: "Scan to see this week's lessons online.",
    nothing_this_week: "There are no lessons on TV for this grade this week.",
    nothing_this_week_hint: "The schedule can change: scan a code below to see new lessons as \
        soon as they are announced, or ask your school.",
    nothing_today: "No lessons on TV for this grade today.",
    nothing_this_week_class: "There is no work on TV for this class this week.",
    nothing_today_class: "No lessons on TV for this class today.",
    grades: "Grades",
    class_packet_pdf: "This week's packet (PDF)",
    class_packet_print: "(print page)",
    weekend: "Weekend",
    continued: "(continued)",
    col_time: "Time",
    col_channel: "Channel",
    col_lesson: "Lesson",
    captions_mark: "CC",
    spanish_audio_mark: "SAP",
    work_to_do: "Work to do",
    watch_one_of: "Watch one of",
    materials: "Materials",
    due: "Due",
    minutes: "min",
    until: "to",
    answers: "Write your answers here:",
    dates: &super::dates::EN,
};

static ES: PacketStrings = PacketStrings {
    packet_title: "Paquete semanal de aprendizaje",
    week_of: "Semana del",
    page: "Página",
    of: "de",
    student_name: "Nombre del estudiante",
    teacher_name: "Maestro o maestra",
    how_to_watch: "Cómo ver las clases",
    channels_intro: "Las clases de esta semana se transmiten gratis por la televisión pública, \
        en estos canales:",
    antenna_tip: "No necesita cable ni internet: sirve cualquier televisor con antena. Si no \
        encuentra un canal, haga una búsqueda de canales desde el menú del televisor \
        (Configuración > Canales > Búsqueda automática). Si la imagen se corta, acerque la \
        antena a una ventana y busque otra vez.",
    captions_tip: "CC: la clase tiene subtítulos. Actívelos con el botón CC o de subtítulos del \
        televisor.",
    spanish_audio_tip: "SAP: la clase se puede escuchar en español. Elija SAP o español en el \
        menú de audio del televisor.",
    how_to_use: "Adentro hay una página para cada día de clases. Mira cada clase a la hora \
        indicada, haz la tarea que aparece debajo y escribe tus respuestas en las líneas. \
        Devuelve este paquete a la escuela.",
    qr_feed: "Escanee para poner todas las clases en el calendario de su teléfono: la página explica cómo, para cada teléfono.",
    qr_week: "Escanee para ver las clases de esta semana en internet.",
    nothing_this_week: "Esta semana no hay clases en la televisión para este grado.",
    nothing_this_week_hint: "El horario puede cambiar: escanee un código para ver las clases \
        nuevas en cuanto se anuncien, o pregunte en su escuela.",
    nothing_today: "Hoy no hay clases en la televisión para este grado.",
    nothing_this_week_class: "Esta semana no hay tareas en la televisión para esta clase.",
    nothing_today_class: "Hoy no hay clases en la televisión para esta clase.",
    grades: "Grados",
    class_packet_pdf: "Paquete de esta semana (PDF)",
    class_packet_print: "(página para imprimir)",
    weekend: "Fin de semana",
    continued: "(continuación)",
    col_time: "Hora",
    col_channel: "Canal",
    col_lesson: "Clase",
    captions_mark: "CC",
    spanish_audio_mark: "SAP",
    work_to_do: "Tarea",
    watch_one_of: "Vea una de estas",
    materials: "Materiales",
    due: "Entregar el",
    minutes: "min",
    until: "a",
    answers: "Escribe tus respuestas aquí:",
    dates: &super::dates::ES,
};

impl Lang {
    /// The packet's words in this language.
    pub fn packet(self) -> &'static PacketStrings {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }
}

/// `lunes` → `Lunes`, for the start of a heading.
impl PacketStrings {
    /// "April 13, 2020" / "13 de abril de 2020".
    pub fn long_date(&self, d: NaiveDate) -> String {
        self.dates.long_date(d)
    }

    /// "Week of April 13, 2020" / "Semana del 13 de abril de 2020".
    pub fn week_label(&self, monday: NaiveDate) -> String {
        format!("{} {}", self.week_of, self.long_date(monday))
    }

    /// "Monday, April 13" / "Lunes 13 de abril".
    pub fn day_heading(&self, d: NaiveDate) -> String {
        self.dates.day_heading(d)
    }

    /// "Monday, April 13 – Friday, April 17, 2020" /
    /// "Del lunes 13 de abril al viernes 17 de abril de 2020".
    pub fn date_range(&self, first: NaiveDate, last: NaiveDate) -> String {
        self.dates.date_range(first, last)
    }

    /// "9:05 AM" / "9:05 a. m.", with ordinary spaces so that text extraction finds them.
    pub fn clock(&self, t: NaiveTime) -> String {
        self.dates.clock(t, ' ')
    }

    /// "Page 2 of 6" / "Página 2 de 6".
    pub fn page_of(&self, n: usize, total: usize) -> String {
        format!("{} {n} {} {total}", self.page, self.of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn dates_read_naturally_in_both_languages() {
        let en = Lang::En.packet();
        let es = Lang::Es.packet();
        assert_eq!(en.week_label(d("2020-04-13")), "Week of April 13, 2020");
        assert_eq!(
            es.week_label(d("2020-04-13")),
            "Semana del 13 de abril de 2020"
        );
        assert_eq!(en.day_heading(d("2020-04-15")), "Wednesday, April 15");
        // A due date mid-sentence: the Spanish weekday in lower case ("Entregar el: jueves").
        assert_eq!(
            es.dates.due_date(d("2026-12-03"), false),
            "jueves 3 de diciembre"
        );
        assert_eq!(
            Lang::Es.due_date(d("2026-12-03")),
            "jueves 3 de diciembre de 2026"
        );
        assert_eq!(
            Lang::En.due_date(d("2026-12-03")),
            "Thursday, December 3, 2026"
        );
        assert_eq!(es.day_heading(d("2020-04-15")), "Miércoles 15 de abril");
        assert_eq!(
            en.date_range(d("2020-04-13"), d("2020-04-17")),
            "Monday, April 13 – Friday, April 17, 2020"
        );
        assert_eq!(
            es.date_range(d("2020-04-13"), d("2020-04-17")),
            "Del lunes 13 de abril al viernes 17 de abril de 2020"
        );
    }

    #[test]
    fn times_and_page_numbers() {
        let t = NaiveTime::from_hms_opt(13, 5, 0).unwrap();
        assert_eq!(Lang::En.packet().clock(t), "1:05 PM");
        assert_eq!(Lang::Es.packet().clock(t), "1:05 p. m.");
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        assert_eq!(Lang::En.packet().clock(nine), "9:00 AM");
        assert_eq!(Lang::En.packet().page_of(2, 6), "Page 2 of 6");
        assert_eq!(Lang::Es.packet().page_of(2, 6), "Página 2 de 6");
    }
}
