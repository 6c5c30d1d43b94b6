//! The one-page handout a teacher prints for a class's families: the class's name, and in
//! English then Spanish the three steps to follow, each beside the QR code of the class's
//! subscribe page (`/subscribe?class=TOKEN`, with no language: a phone opens it in its own).
//! Drawn by [`super::pdf::render_handout`].

use super::{PaperSize, Qr};

/// What the handout prints.
pub struct Handout {
    /// The class's name, as the teacher wrote it.
    pub class: String,
    /// The subscribe page's address, printed under each code.
    pub url: String,
    pub qr: Option<Qr>,
    pub size: PaperSize,
}

impl Handout {
    pub fn new(class: String, url: String, size: PaperSize) -> Handout {
        Handout {
            class,
            qr: Qr::new(&url),
            url,
            size,
        }
    }
}
