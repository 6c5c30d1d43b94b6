//! Every word lessoncast writes for families, per language. Add a language by adding a
//! [`Lang`] variant and its [`Strings`]; the compiler then points at every place to fill in.

pub mod dates;
pub mod packets;
pub mod plan;
pub mod subscribe;

use std::fmt;
use std::str::FromStr;

/// A language families can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    /// The other language we publish, for the switch to it.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Es,
            Lang::Es => Lang::En,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }

    /// Picks the text in this language when there is one, else the English.
    pub fn pick<'a>(self, en: &'a str, es: Option<&'a str>) -> &'a str {
        match (self, es) {
            (Lang::Es, Some(es)) if !es.trim().is_empty() => es,
            _ => en,
        }
    }
}

/// Text in a chosen language, or the English where no translation was given, and whether it
/// fell back (pages and packets mark such text `lang="en"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Localized {
    pub text: String,
    pub english_fallback: bool,
}

impl Localized {
    pub fn pick(lang: Lang, en: &str, es: Option<&str>) -> Localized {
        let translated = es.is_some_and(|s| !s.trim().is_empty());
        Localized {
            text: lang.pick(en, es).to_string(),
            english_fallback: lang != Lang::En && !translated,
        }
    }

    /// The same for an optional text; `None` when there is none or it is blank.
    pub fn pick_some(lang: Lang, en: Option<&str>, es: Option<&str>) -> Option<Localized> {
        en.filter(|e| !e.trim().is_empty())
            .map(|e| Localized::pick(lang, e, es))
    }
}

/// Why a language code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a language we publish: use en or es")]
pub struct LangError(pub String);

impl FromStr for Lang {
    type Err = LangError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "eng" | "english" => Ok(Lang::En),
            "es" | "spa" | "spanish" | "español" => Ok(Lang::Es),
            _ => Err(LangError(s.to_string())),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The words of one language.
pub struct Strings {
    /// "Grade 5" (the code is appended).
    pub grade: &'static str,
    pub grade_pk: &'static str,
    pub grade_k: &'static str,
    pub grade_adult: &'static str,
    /// Calendar name for a grade feed: "{grade} · Lessons on TV".
    pub lessons_on_tv: &'static str,
    /// Calendar description for a grade feed.
    pub grade_feed_description: &'static str,
    pub station_feed_description: &'static str,
    /// "Watch on KCET 28.1".
    pub watch_on: &'static str,
    pub captions: &'static str,
    pub spanish_audio: &'static str,
    pub free_tv: &'static str,
    pub starts_soon: &'static str,
    pub cancelled: &'static str,
    pub work_to_do: &'static str,
    /// "More" before the link to the week's page.
    pub more: &'static str,
    /// After "+3": more work than an event shows.
    pub more_work: &'static str,
    /// After text cut short in a feed.
    pub continues: &'static str,
    pub materials: &'static str,
    pub due: &'static str,
    pub minutes: &'static str,
    pub class_feed_description: &'static str,
}

static EN: Strings = Strings {
    grade: "Grade",
    grade_pk: "Pre-K",
    grade_k: "Kindergarten",
    grade_adult: "Adults",
    lessons_on_tv: "Lessons on TV",
    grade_feed_description:
        "Lessons on free over-the-air public TV for this grade, with the work to do alongside.",
    station_feed_description: "Every programme of this station, from its published schedule.",
    watch_on: "Watch on",
    captions: "Captions (CC) available",
    spanish_audio: "Spanish audio available (SAP / audio button)",
    free_tv: "Free over-the-air TV: any TV with an antenna, no internet needed.",
    starts_soon: "Starts soon",
    cancelled: "Cancelled: no longer in the station's schedule",
    work_to_do: "Work to do",
    more: "This week's lessons and work",
    more_work: "more pieces of work for this lesson: see this week's page or packet",
    continues: "(continues on this week's page and in the packet)",
    materials: "Materials",
    due: "Due",
    minutes: "min",
    class_feed_description: "The lessons on TV your teacher chose, with the work to do alongside.",
};

static ES: Strings = Strings {
    grade: "Grado",
    grade_pk: "Preescolar",
    grade_k: "Kínder",
    grade_adult: "Adultos",
    lessons_on_tv: "Clases en la TV",
    grade_feed_description: "Clases en la televisión pública gratuita para este grado, con las tareas para hacer mientras las ven.",
    station_feed_description: "Todos los programas de esta estación, según su horario publicado.",
    watch_on: "Véalo en",
    captions: "Subtítulos (CC) disponibles",
    spanish_audio: "Audio en español disponible (SAP / botón de audio)",
    free_tv: "Televisión gratuita por antena: cualquier televisor con antena, sin internet.",
    starts_soon: "Empieza pronto",
    cancelled: "Cancelado: ya no está en el horario de la estación",
    work_to_do: "Tarea",
    more: "Las clases y tareas de esta semana",
    more_work: "tareas más para esta clase: vea la página o el paquete de esta semana",
    continues: "(continúa en la página de la semana y en el paquete)",
    materials: "Materiales",
    due: "Entregar el",
    minutes: "min",
    class_feed_description: "Las clases en la TV que eligió su maestro o maestra, con la tarea para hacer.",
};

impl Strings {
    /// "Grade 5", "Kindergarten", "Grado 5", "Kínder".
    pub fn grade_name(&self, g: crate::domain::Grade) -> String {
        use crate::domain::Grade;
        match g {
            Grade::PK => self.grade_pk.to_string(),
            Grade::K => self.grade_k.to_string(),
            Grade::ADULT => self.grade_adult.to_string(),
            other => format!("{} {}", self.grade, other.code()),
        }
    }
}

/// The words of the HTML pages: the family pages (`/`, `/schedule`) and the teacher pages
/// (`/teach/…`). Kept apart from [`Strings`], which feeds and packets share.
pub struct PageStrings {
    /// The language's own name, for the switch to it ("English", "Español").
    pub language_name: &'static str,
    pub skip_to_content: &'static str,
    pub site_name: &'static str,
    pub home_intro: &'static str,
    pub your_childs_grade: &'static str,
    pub choose_a_grade: &'static str,
    pub language: &'static str,
    pub show: &'static str,
    pub pick_grade_first: &'static str,
    pub subscribe_heading: &'static str,
    pub subscribe_intro: &'static str,
    pub subscribe_apple: &'static str,
    pub subscribe_google: &'static str,
    pub subscribe_outlook: &'static str,
    pub subscribe_other: &'static str,
    /// "Each lesson comes with a reminder" … "15" … "minutes before it starts."
    pub reminder_before: &'static str,
    pub reminder_after: &'static str,
    pub reminder_apple: &'static str,
    pub no_reminders_intro: &'static str,
    pub subscribe_no_reminders: &'static str,
    pub address_no_reminders: &'static str,
    pub this_week: &'static str,
    pub nothing_this_week: &'static str,
    pub see_whole_week: &'static str,
    pub scan_to_subscribe: &'static str,
    /// The link to the subscribe landing page.
    pub subscribe_cta: &'static str,
    pub packet_heading: &'static str,
    pub packet_intro: &'static str,
    pub packet_pdf: &'static str,
    pub packet_html: &'static str,
    pub week_of: &'static str,
    pub previous_week: &'static str,
    pub next_week: &'static str,
    pub calendar_links: &'static str,
    pub error_heading: &'static str,
    pub back_to_start: &'static str,
    /// A page we do not have: "There is no page at" `/path`.
    pub not_found: &'static str,
    /// What an error on our side says (the details go to the log).
    pub internal_error: &'static str,
    /// After "`soon`": a `week` that is not a date.
    pub bad_week: &'static str,
    /// After "`0001-01-01`": a week outside the years we know.
    pub week_out_of_range: &'static str,
    /// After "`13`": a `grade` that is not one.
    pub bad_grade: &'static str,
    pub bad_station: &'static str,
    /// After "`fr`": a `lang` we do not have.
    pub bad_lang: &'static str,
    /// After "`foo`": a parameter the page does not know.
    pub unknown_parameter: &'static str,
    /// After "`grade`": a parameter given twice.
    pub repeated_parameter: &'static str,

    // Teacher pages.
    pub teachers: &'static str,
    pub sign_in: &'static str,
    pub sign_in_intro: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub wrong_login: &'static str,
    /// "Too many failed sign-ins: try again in" … "15" … "minutes."
    pub locked_before: &'static str,
    pub locked_after: &'static str,
    /// "Too many sign-in attempts from your network. Try again in" … "40" … "seconds."
    pub too_many_before: &'static str,
    /// The sign-in form's token did not match: it is old, or another site sent it.
    pub login_expired: &'static str,
    pub too_many_after: &'static str,
    pub signed_in_as: &'static str,
    pub teacher_nav: &'static str,
    pub nav_schedule: &'static str,
    pub nav_assignments: &'static str,
    pub nav_classes: &'static str,
    pub sign_out: &'static str,
    pub station: &'static str,
    pub all_stations: &'static str,
    pub grade_label: &'static str,
    pub all_grades: &'static str,
    pub col_time: &'static str,
    pub col_channel: &'static str,
    pub col_programme: &'static str,
    pub col_grades: &'static str,
    pub col_work: &'static str,
    pub no_airings: &'static str,
    pub airing: &'static str,
    pub removed: &'static str,
    pub other_airings: &'static str,
    pub no_other_airings: &'static str,
    pub work_attached: &'static str,
    pub no_work_attached: &'static str,
    pub by: &'static str,
    pub edit: &'static str,
    pub attach_work: &'static str,
    pub field_title: &'static str,
    pub field_title_es: &'static str,
    pub field_instructions: &'static str,
    pub field_instructions_es: &'static str,
    pub field_materials: &'static str,
    pub field_materials_es: &'static str,
    pub field_minutes: &'static str,
    pub field_grades: &'static str,
    pub grades_hint: &'static str,
    pub field_due: &'static str,
    pub attach_to: &'static str,
    pub scope_airing: &'static str,
    pub scope_episode: &'static str,
    pub scope_series: &'static str,
    pub field_class: &'static str,
    pub no_class: &'static str,
    pub save: &'static str,
    pub fix_fields: &'static str,
    pub my_assignments: &'static str,
    pub no_assignments: &'static str,
    pub attached_to: &'static str,
    pub delete: &'static str,
    pub deleted_assignments: &'static str,
    pub restore: &'static str,
    /// After a delete, at the top of the list: "`title`" … "was deleted: families no longer
    /// see it." and the button that undoes it.
    pub deleted_notice: &'static str,
    pub undo: &'static str,
    pub edit_assignment: &'static str,
    pub save_changes: &'static str,
    pub cancel: &'static str,
    pub links_unchanged: &'static str,
    pub classes: &'static str,
    pub classes_intro: &'static str,
    pub no_classes: &'static str,
    pub class_feed: &'static str,
    pub class_subscribe: &'static str,
    pub renew_link: &'static str,
    pub renew_note: &'static str,
    /// The box to tick before renewing, and what a renewal without it says.
    pub renew_confirm: &'static str,
    pub renew_unconfirmed: &'static str,
    /// The share kit on the classes page.
    pub share_heading: &'static str,
    pub share_intro: &'static str,
    pub share_en: &'static str,
    pub share_es: &'static str,
    pub share_qr: &'static str,
    pub share_handout: &'static str,
    pub new_class: &'static str,
    pub class_name: &'static str,
    pub create_class: &'static str,
    pub back_to_schedule: &'static str,
}

static PAGES_EN: PageStrings = PageStrings {
    language_name: "English",
    skip_to_content: "Skip to content",
    site_name: "Lessons on TV",
    home_intro: "Free lessons on public TV for your child, with the work to do alongside. \
        Add them to your phone's calendar, or print the week's packet.",
    your_childs_grade: "Your child's grade",
    choose_a_grade: "Choose a grade",
    language: "Language",
    show: "Show",
    pick_grade_first: "Choose a grade to see its lessons and the links for your calendar.",
    subscribe_heading: "Add the lessons to your calendar",
    subscribe_intro: "New lessons and work appear by themselves. The next page says how to add them on each kind of phone, and what to do if no reminder rings.",
    subscribe_apple: "iPhone, iPad or Mac (Apple Calendar)",
    subscribe_google: "Google Calendar (Android phones)",
    subscribe_outlook: "Outlook",
    subscribe_other: "Other calendar apps: subscribe to this address",
    reminder_before: "Each lesson comes with a reminder",
    reminder_after: "minutes before it starts.",
    reminder_apple: "On an iPhone, the subscribe screen may switch reminders off: \
        turn them on there if you want them.",
    no_reminders_intro: "Prefer no reminders? Use these links instead:",
    subscribe_no_reminders: "Subscribe without reminders",
    address_no_reminders: "Address without reminders",
    this_week: "This week at a glance",
    nothing_this_week: "No lessons for this grade on TV this week.",
    see_whole_week: "See the whole week with the work to do",
    scan_to_subscribe: "Scan with your phone's camera to add the lessons to its calendar.",
    subscribe_cta: "Put the lessons in my phone's calendar",
    packet_heading: "This week on paper",
    packet_intro: "No internet at home? Print this week's packet, or ask your school for a copy.",
    packet_pdf: "Weekly packet (PDF, to print)",
    packet_html: "Weekly packet (web page, to print)",
    week_of: "Week of",
    previous_week: "Previous week",
    next_week: "Next week",
    calendar_links: "Calendar links and reminders",
    error_heading: "Something is not right",
    back_to_start: "Back to the start",
    not_found: "There is no page at",
    internal_error: "Something went wrong on our side. Please try again in a few minutes.",
    bad_week: "is not a week: write a date such as 2020-04-13.",
    week_out_of_range: "is too far away: choose a week between 1970 and 9998.",
    bad_grade: "is not a grade: choose Pre-K, K, or a grade from 1 to 12.",
    bad_station: "is not a station in the schedule.",
    bad_lang: "is not a language we have: choose en (English) or es (español).",
    unknown_parameter: "is not something this page understands: remove it from the address, or start again from the home page.",
    repeated_parameter: "is in the address twice: keep one.",

    teachers: "Teachers",
    sign_in: "Sign in",
    sign_in_intro: "Sign in to attach work to lessons on TV.",
    email: "E-mail",
    password: "Password",
    wrong_login: "Wrong e-mail or password.",
    locked_before: "Too many failed sign-ins lock an account for",
    locked_after: "minutes.",
    too_many_before: "Too many sign-in attempts from your network. Try again in",
    login_expired: "This sign-in form has expired. Please sign in again.",
    too_many_after: "seconds.",
    signed_in_as: "Signed in as",
    teacher_nav: "Teacher pages",
    nav_schedule: "Schedule",
    nav_assignments: "My assignments",
    nav_classes: "Classes",
    sign_out: "Sign out",
    station: "Station",
    all_stations: "All stations",
    grade_label: "Grade",
    all_grades: "All grades",
    col_time: "Time",
    col_channel: "Channel",
    col_programme: "Programme",
    col_grades: "Grades",
    col_work: "Work attached",
    no_airings: "No airings match these filters in this week.",
    airing: "Airing",
    removed: "Removed from the station's schedule.",
    other_airings: "Other airings of this episode",
    no_other_airings: "No other airings of this episode.",
    work_attached: "Work attached",
    no_work_attached: "No work attached yet.",
    by: "by",
    edit: "Edit",
    attach_work: "Attach work",
    field_title: "Title",
    field_title_es: "Title in Spanish (optional)",
    field_instructions: "Instructions",
    field_instructions_es: "Instructions in Spanish (optional)",
    field_materials: "Materials (optional)",
    field_materials_es: "Materials in Spanish (optional)",
    field_minutes: "Minutes (optional)",
    field_grades: "Grades",
    grades_hint: "For example 4-8, or K, 1, 2.",
    field_due: "Due (optional)",
    attach_to: "Attach to",
    scope_airing: "This airing only",
    scope_episode: "Every airing of this episode",
    scope_series: "Every airing of the series",
    field_class: "Class (optional)",
    no_class: "No class",
    save: "Save",
    fix_fields: "Please fix the fields marked below.",
    my_assignments: "My assignments",
    no_assignments: "None yet: open an airing from the schedule to attach work.",
    attached_to: "Attached to",
    delete: "Delete",
    deleted_assignments: "Deleted",
    restore: "Restore",
    deleted_notice: "was deleted: families no longer see it.",
    undo: "Undo",
    edit_assignment: "Edit assignment",
    save_changes: "Save changes",
    cancel: "Cancel",
    links_unchanged: "It stays attached to:",
    classes: "Classes",
    classes_intro: "A class has its own calendar feed: the lessons you attached work to for it. \
        Give the link to your students' families.",
    no_classes: "No classes yet.",
    class_feed: "Calendar address",
    class_subscribe: "Subscribe link",
    renew_link: "Renew link",
    renew_note: "Renewing gives the class a new link; the old one stops working.",
    renew_confirm: "Yes, renew it: families already subscribed stop getting this class's work until they subscribe again with the new link",
    renew_unconfirmed: "The link was not renewed: tick the box to say you know that families already subscribed stop getting the class's work until they subscribe again",
    share_heading: "Share with families",
    share_intro: "Send families this page, or print its code: it tells them, on their own phone and in their language, how to get the class's lessons into their calendar.",
    share_en: "Steps for families (English)",
    share_es: "Pasos para las familias (español)",
    share_qr: "Code for families: opens the steps to subscribe, in the phone's language",
    share_handout: "A page to print for families (PDF, English and Spanish)",
    new_class: "New class",
    class_name: "Name",
    create_class: "Create class",
    back_to_schedule: "Back to the schedule",
};

static PAGES_ES: PageStrings = PageStrings {
    language_name: "Español",
    skip_to_content: "Saltar al contenido",
    site_name: "Clases en la TV",
    home_intro: "Clases gratuitas en la televisión pública para su hijo o hija, con la tarea \
        para hacer mientras las ven. Agréguelas al calendario de su teléfono, o imprima el \
        paquete de la semana.",
    your_childs_grade: "Grado de su hijo o hija",
    choose_a_grade: "Elija un grado",
    language: "Idioma",
    show: "Mostrar",
    pick_grade_first: "Elija un grado para ver sus clases y los enlaces para su calendario.",
    subscribe_heading: "Agregue las clases a su calendario",
    subscribe_intro: "Las clases y tareas nuevas aparecen solas. La página siguiente explica cómo agregarlas en cada tipo de teléfono, y qué hacer si no suena ningún aviso.",
    subscribe_apple: "iPhone, iPad o Mac (Calendario de Apple)",
    subscribe_google: "Google Calendar (teléfonos Android)",
    subscribe_outlook: "Outlook",
    subscribe_other: "Otras aplicaciones de calendario: suscríbase a esta dirección",
    reminder_before: "Cada clase trae un aviso",
    reminder_after: "minutos antes de que empiece.",
    reminder_apple: "En un iPhone, la pantalla de suscripción puede desactivar los avisos: \
        actívelos ahí si los quiere.",
    no_reminders_intro: "¿Prefiere no recibir avisos? Use estos enlaces:",
    subscribe_no_reminders: "Suscribirse sin avisos",
    address_no_reminders: "Dirección sin avisos",
    this_week: "Esta semana de un vistazo",
    nothing_this_week: "Esta semana no hay clases en la TV para este grado.",
    see_whole_week: "Vea toda la semana con la tarea",
    scan_to_subscribe: "Escanee con la cámara del teléfono para agregar las clases a su calendario.",
    subscribe_cta: "Poner las clases en el calendario de mi teléfono",
    packet_heading: "Esta semana en papel",
    packet_intro: "¿No tiene internet en casa? Imprima el paquete de esta semana o pida una copia en su escuela.",
    packet_pdf: "Paquete semanal (PDF, para imprimir)",
    packet_html: "Paquete semanal (página web, para imprimir)",
    week_of: "Semana del",
    previous_week: "Semana anterior",
    next_week: "Semana siguiente",
    calendar_links: "Enlaces del calendario y avisos",
    error_heading: "Algo no está bien",
    back_to_start: "Volver al inicio",
    not_found: "No hay ninguna página en",
    internal_error: "Algo salió mal de nuestro lado. Vuelva a intentarlo en unos minutos.",
    bad_week: "no es una semana: escriba una fecha como 2020-04-13.",
    week_out_of_range: "está demasiado lejos: elija una semana entre 1970 y 9998.",
    bad_grade: "no es un grado: elija Preescolar, Kínder o un grado del 1 al 12.",
    bad_station: "no es una estación del horario.",
    bad_lang: "no es un idioma que tengamos: elija es (español) o en (English).",
    unknown_parameter: "no es algo que esta página entienda: quítelo de la dirección o vuelva a empezar desde la página de inicio.",
    repeated_parameter: "aparece dos veces en la dirección: deje solo una.",

    teachers: "Maestros",
    sign_in: "Iniciar sesión",
    sign_in_intro: "Inicie sesión para agregar tareas a las clases en la TV.",
    email: "Correo electrónico",
    password: "Contraseña",
    wrong_login: "Correo electrónico o contraseña incorrectos.",
    locked_before: "Demasiados intentos fallidos bloquean la cuenta durante",
    locked_after: "minutos.",
    too_many_before: "Demasiados intentos de inicio de sesión desde su red. Vuelva a intentarlo en",
    login_expired: "Este formulario de inicio de sesión ha caducado. Vuelva a iniciar sesión.",
    too_many_after: "segundos.",
    signed_in_as: "Sesión iniciada como",
    teacher_nav: "Páginas para maestros",
    nav_schedule: "Horario",
    nav_assignments: "Mis tareas",
    nav_classes: "Clases",
    sign_out: "Cerrar sesión",
    station: "Estación",
    all_stations: "Todas las estaciones",
    grade_label: "Grado",
    all_grades: "Todos los grados",
    col_time: "Hora",
    col_channel: "Canal",
    col_programme: "Programa",
    col_grades: "Grados",
    col_work: "Tareas",
    no_airings: "Ninguna transmisión coincide con estos filtros esta semana.",
    airing: "Transmisión",
    removed: "Quitada del horario de la estación.",
    other_airings: "Otras transmisiones de este episodio",
    no_other_airings: "No hay otras transmisiones de este episodio.",
    work_attached: "Tareas agregadas",
    no_work_attached: "Todavía no hay tareas.",
    by: "de",
    edit: "Editar",
    attach_work: "Agregar una tarea",
    field_title: "Título",
    field_title_es: "Título en español (opcional)",
    field_instructions: "Instrucciones",
    field_instructions_es: "Instrucciones en español (opcional)",
    field_materials: "Materiales (opcional)",
    field_materials_es: "Materiales en español (opcional)",
    field_minutes: "Minutos (opcional)",
    field_grades: "Grados",
    grades_hint: "Por ejemplo 4-8, o K, 1, 2.",
    field_due: "Fecha de entrega (opcional)",
    attach_to: "Agregar a",
    scope_airing: "Solo esta transmisión",
    scope_episode: "Todas las transmisiones de este episodio",
    scope_series: "Todas las transmisiones de la serie",
    field_class: "Clase (opcional)",
    no_class: "Sin clase",
    save: "Guardar",
    fix_fields: "Corrija los campos marcados abajo.",
    my_assignments: "Mis tareas",
    no_assignments: "Todavía ninguna: abra una transmisión del horario para agregar una tarea.",
    attached_to: "Agregada a",
    delete: "Borrar",
    deleted_assignments: "Borradas",
    restore: "Restaurar",
    deleted_notice: "se eliminó: las familias ya no la ven.",
    undo: "Deshacer",
    edit_assignment: "Editar la tarea",
    save_changes: "Guardar los cambios",
    cancel: "Cancelar",
    links_unchanged: "Sigue agregada a:",
    classes: "Clases",
    classes_intro: "Cada clase tiene su propio calendario: las clases en la TV a las que agregó \
        tareas para ella. Dé el enlace a las familias de sus alumnos.",
    no_classes: "Todavía no hay clases.",
    class_feed: "Dirección del calendario",
    class_subscribe: "Enlace para suscribirse",
    renew_link: "Renovar el enlace",
    renew_note: "Al renovarlo, la clase recibe un enlace nuevo y el anterior deja de funcionar.",
    renew_confirm: "Sí, renovarlo: las familias ya suscritas dejan de recibir las tareas de esta clase hasta que se suscriban de nuevo con el enlace nuevo",
    renew_unconfirmed: "El enlace no se renovó: marque la casilla para indicar que sabe que las familias ya suscritas dejarán de recibir las tareas de la clase hasta que se suscriban de nuevo",
    share_heading: "Compartir con las familias",
    share_intro: "Envíe a las familias esta página, o imprima su código: les explica, en su propio teléfono y en su idioma, cómo poner las clases en su calendario.",
    share_en: "Steps for families (English)",
    share_es: "Pasos para las familias (español)",
    share_qr: "Código para las familias: abre los pasos para suscribirse, en el idioma del teléfono",
    share_handout: "Una hoja para imprimir para las familias (PDF, inglés y español)",
    new_class: "Clase nueva",
    class_name: "Nombre",
    create_class: "Crear la clase",
    back_to_schedule: "Volver al horario",
};

impl Lang {
    /// The words of the subscribe landing page.
    pub fn subscribe(self) -> &'static subscribe::SubscribeWords {
        match self {
            Lang::En => &subscribe::EN,
            Lang::Es => &subscribe::ES,
        }
    }

    /// The words of the family plan.
    pub fn plan(self) -> &'static plan::PlanWords {
        match self {
            Lang::En => &plan::EN,
            Lang::Es => &plan::ES,
        }
    }

    /// The words of the HTML pages.
    pub fn pages(self) -> &'static PageStrings {
        match self {
            Lang::En => &PAGES_EN,
            Lang::Es => &PAGES_ES,
        }
    }

    /// The first language of an `Accept-Language` header that we publish, if any.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for part in header.split(',') {
            let mut bits = part.split(';');
            let tag = bits.next().unwrap_or("").trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary.to_ascii_lowercase().as_str() {
                "en" => Lang::En,
                "es" => Lang::Es,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map(|(l, _)| l)
    }
}

impl Lang {
    /// The language's names of days and months, and how it writes dates and times.
    pub fn dates(self) -> &'static dates::DateWords {
        match self {
            Lang::En => &dates::EN,
            Lang::Es => &dates::ES,
        }
    }

    /// "Monday, April 13" / "Lunes 13 de abril".
    pub fn day_heading(self, d: chrono::NaiveDate) -> String {
        self.dates().day_heading(d)
    }

    /// A due date in a sentence, with its year: "Thursday, April 16, 2020" / "jueves 16 de
    /// abril de 2020".
    pub fn due_date(self, d: chrono::NaiveDate) -> String {
        self.dates().due_date(d, true)
    }

    /// "April 13, 2020" / "13 de abril de 2020".
    pub fn long_date(self, d: chrono::NaiveDate) -> String {
        self.dates().long_date(d)
    }

    /// "9:05 AM" / "9:05 a. m.", with a no-break space so the time never splits.
    pub fn clock(self, t: chrono::NaiveTime) -> String {
        self.dates().clock(t, '\u{a0}')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_falls_back_to_english_where_no_spanish_was_given() {
        assert_eq!(
            Lang::Es.pick("Cyberchase", Some("Ciberpersecución")),
            "Ciberpersecución"
        );
        assert_eq!(Lang::Es.pick("Cyberchase", None), "Cyberchase");
        assert_eq!(Lang::Es.pick("Cyberchase", Some(" ")), "Cyberchase");
        assert_eq!(
            Lang::En.pick("Cyberchase", Some("Ciberpersecución")),
            "Cyberchase"
        );
        assert_eq!("ES".parse::<Lang>(), Ok(Lang::Es));
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn grade_names_in_both_languages() {
        let g: crate::domain::Grade = "5".parse().unwrap();
        assert_eq!(Lang::En.strings().grade_name(g), "Grade 5");
        assert_eq!(Lang::Es.strings().grade_name(g), "Grado 5");
        assert_eq!(
            Lang::Es.strings().grade_name(crate::domain::Grade::K),
            "Kínder"
        );
    }

    #[test]
    fn page_dates_and_times_in_both_languages() {
        let d = chrono::NaiveDate::from_ymd_opt(2020, 4, 13).unwrap();
        assert_eq!(Lang::En.day_heading(d), "Monday, April 13");
        assert_eq!(Lang::Es.day_heading(d), "Lunes 13 de abril");
        assert_eq!(Lang::Es.long_date(d), "13 de abril de 2020");
        let t = chrono::NaiveTime::from_hms_opt(13, 5, 0).unwrap();
        assert_eq!(Lang::En.clock(t), "1:05\u{a0}PM");
        assert_eq!(Lang::Es.clock(t), "1:05\u{a0}p. m.");
    }

    #[test]
    fn accept_language_picks_the_first_language_we_publish() {
        assert_eq!(
            Lang::from_accept_language("es-MX,es;q=0.9,en;q=0.8"),
            Some(Lang::Es)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR, en;q=0.5"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0.2, es;q=0.9"),
            Some(Lang::Es)
        );
        assert_eq!(Lang::from_accept_language("de"), None);
    }
}
