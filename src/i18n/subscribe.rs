//! The words of the subscribe landing page (`/subscribe`), where every QR code and share link
//! leads: per-platform steps that work as each platform documents them today, the address to
//! copy, and a plain word on reminders. In English and Spanish (usted).

/// What the landing page says.
pub struct SubscribeWords {
    pub title: &'static str,
    pub intro: &'static str,
    pub pick: &'static str,
    pub address: &'static str,
    pub copy_hint: &'static str,

    pub android: &'static str,
    pub android_google: &'static str,
    pub android_google_1: &'static str,
    pub android_google_link: &'static str,
    pub android_google_2: &'static str,
    pub android_google_3: &'static str,
    pub android_app: &'static str,
    pub android_app_1: &'static str,
    pub android_app_2: &'static str,
    pub android_app_3: &'static str,
    pub android_reminders: &'static str,

    pub iphone: &'static str,
    pub iphone_link: &'static str,
    pub iphone_1: &'static str,
    pub iphone_reminders: &'static str,

    pub computer: &'static str,
    pub computer_1: &'static str,

    pub outlook: &'static str,
    pub outlook_link: &'static str,
    pub office: &'static str,
    pub office_link: &'static str,
    pub outlook_reminders: &'static str,

    pub other: &'static str,
    pub other_1: &'static str,

    pub reminders: &'static str,
    pub reminders_1: &'static str,
    pub packet_link: &'static str,
    pub plan_link: &'static str,
    pub pick_calendar: &'static str,
    /// The one-page handout a teacher prints for families.
    pub handout_heading: &'static str,
    pub handout_steps: [&'static str; 3],
    pub one_only: &'static str,
}

pub static EN: SubscribeWords = SubscribeWords {
    title: "Put the lessons in your phone's calendar",
    intro: "The calendar keeps itself up to date when the schedule changes. Pick your phone or calendar:",
    pick: "Your phone or calendar",
    address: "The calendar's address",
    copy_hint: "Press and hold the address to copy it.",

    android: "Android phone",
    android_google: "With Google Calendar (needs a computer once)",
    android_google_1: "On a computer, sign in to Google with the same account as your phone and open",
    android_google_link: "Google Calendar: add a calendar from a URL",
    android_google_2: "Paste the calendar's address (above) and choose Add calendar.",
    android_google_3: "On the phone, open Google Calendar: the lessons appear within a day. If they do not, open the app's Settings, tap the calendar's name and turn on Sync.",
    android_app: "With only the phone: the ICSx⁵ app",
    android_app_1: "Install ICSx⁵ (free from F-Droid, also on Google Play).",
    android_app_2: "Open it, tap +, paste the calendar's address (above) and tap Next.",
    android_app_3: "The lessons appear in your phone's own calendar app.",
    android_reminders: "Reminders: Google Calendar does not ring the reminders this calendar carries; ICSx⁵ keeps them.",

    iphone: "iPhone or iPad",
    iphone_link: "Subscribe on this iPhone or iPad",
    iphone_1: "Tap the link, then Subscribe, then Add.",
    iphone_reminders: "Reminders: the iPhone removes them unless you turn off Remove Alerts on the subscribe screen (later: Settings, Calendar, Accounts, Subscribed Calendars).",

    computer: "Google Calendar on a computer",
    computer_1: "Open the page above, paste the calendar's address and choose Add calendar. It then shows on every phone signed in to the same Google account.",

    outlook: "Outlook.com (a personal account)",
    outlook_link: "Add to Outlook.com",
    office: "Outlook with a school or work account (Microsoft 365)",
    office_link: "Add to Outlook (Microsoft 365)",
    outlook_reminders: "Reminders: Outlook may not ring the reminders of a subscribed calendar.",

    other: "Any other calendar app",
    other_1: "Look for \"subscribe\", \"add calendar from the internet\" or \"from URL\", and paste the calendar's address.",

    reminders: "If no reminder rings",
    reminders_1: "Many calendar apps do not ring the reminders of a subscribed calendar. Keep the printed packet by the TV: it has every lesson's time.",
    packet_link: "This week's packet to print (PDF)",
    plan_link: "The family plan for this week",
    pick_calendar: "name one calendar: grade=5, grades=2,5 (a family) or class=… (a teacher's link)",
    handout_heading: "Get the class's TV lessons on your phone",
    handout_steps: [
        "1. Open your phone's camera and point it at the code.",
        "2. Open the page it shows: it says, for your kind of phone, how to put the lessons and the work in your calendar. It keeps itself up to date.",
        "3. No internet at home? Ask the teacher for the weekly packet on paper.",
    ],
    one_only: "name one calendar only: a grade, a family (grades, classes) or a class",
};

pub static ES: SubscribeWords = SubscribeWords {
    title: "Ponga las clases en el calendario de su teléfono",
    intro: "El calendario se actualiza solo cuando cambia el horario. Elija su teléfono o calendario:",
    pick: "Su teléfono o calendario",
    address: "La dirección del calendario",
    copy_hint: "Mantenga el dedo sobre la dirección para copiarla.",

    android: "Teléfono Android",
    android_google: "Con Google Calendar (hace falta una computadora una vez)",
    android_google_1: "En una computadora, entre a Google con la misma cuenta de su teléfono y abra",
    android_google_link: "Google Calendar: agregar un calendario desde una URL",
    android_google_2: "Pegue la dirección del calendario (arriba) y elija Agregar calendario.",
    android_google_3: "En el teléfono, abra Google Calendar: las clases aparecen en menos de un día. Si no aparecen, abra la Configuración de la aplicación, toque el nombre del calendario y active Sincronizar.",
    android_app: "Solo con el teléfono: la aplicación ICSx⁵",
    android_app_1: "Instale ICSx⁵ (gratis en F-Droid, también en Google Play).",
    android_app_2: "Ábrala, toque +, pegue la dirección del calendario (arriba) y toque Siguiente.",
    android_app_3: "Las clases aparecen en la aplicación de calendario de su teléfono.",
    android_reminders: "Avisos: Google Calendar no hace sonar los avisos de este calendario; ICSx⁵ sí los conserva.",

    iphone: "iPhone o iPad",
    iphone_link: "Suscribirse en este iPhone o iPad",
    iphone_1: "Toque el enlace, luego Suscribirse y luego Agregar.",
    iphone_reminders: "Avisos: el iPhone los quita a menos que desactive Eliminar alertas en la pantalla de suscripción (después: Ajustes, Calendario, Cuentas, Calendarios suscritos).",

    computer: "Google Calendar en una computadora",
    computer_1: "Abra la página de arriba, pegue la dirección del calendario y elija Agregar calendario. Luego aparece en todos los teléfonos con la misma cuenta de Google.",

    outlook: "Outlook.com (una cuenta personal)",
    outlook_link: "Agregar a Outlook.com",
    office: "Outlook con una cuenta de la escuela o del trabajo (Microsoft 365)",
    office_link: "Agregar a Outlook (Microsoft 365)",
    outlook_reminders: "Avisos: es posible que Outlook no haga sonar los avisos de un calendario suscrito.",

    other: "Otra aplicación de calendario",
    other_1: "Busque \"suscribirse\", \"agregar calendario de internet\" o \"desde URL\", y pegue la dirección del calendario.",

    reminders: "Si no suena ningún aviso",
    reminders_1: "Muchas aplicaciones no hacen sonar los avisos de un calendario suscrito. Tenga el paquete impreso junto a la TV: trae la hora de cada clase.",
    packet_link: "El paquete de esta semana para imprimir (PDF)",
    plan_link: "El plan familiar de esta semana",
    pick_calendar: "indique un calendario: grade=5, grades=2,5 (una familia) o class=… (el enlace de un maestro)",
    handout_heading: "Las clases de TV de la clase en su teléfono",
    handout_steps: [
        "1. Abra la cámara de su teléfono y apúntela al código.",
        "2. Abra la página que aparece: explica, para su tipo de teléfono, cómo poner las clases y las tareas en su calendario. Se actualiza sola.",
        "3. ¿No tiene internet en casa? Pídale al maestro el paquete semanal en papel.",
    ],
    one_only: "indique un solo calendario: un grado, una familia (grades, classes) o una clase",
};
