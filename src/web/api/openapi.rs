//! `GET /api/openapi.json`: the OpenAPI 3.1 description of `/api`, made by utoipa from the
//! `#[utoipa::path]` attribute on each handler. The shapes of bodies the handlers read or
//! write as maps are described here, and a test checks them against what the handlers send.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lessoncast",
        description = "Broadcast schedules as school work: the schedule for anyone, assignments and classes for signed-in teachers. Sign in with POST /api/login and send the token as `Authorization: Bearer …`."
    ),
    paths(
        super::schedule::list_airings,
        super::session::login,
        super::session::logout,
        super::assignments::create_assignment,
        super::assignments::list_assignments,
        super::assignments::get_assignment,
        super::assignments::patch_assignment,
        super::assignments::delete_assignment,
        super::assignments::restore_assignment,
        super::classes::create_class,
        super::classes::list_classes,
        super::classes::renew_token,
        super::admin::admin_imports,
        super::admin::admin_users,
        super::sources::list_sources,
        super::sources::add_source,
        super::sources::patch_source,
        super::sources::delete_source,
        super::sources::run_source,
    ),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

/// The API token (or a browser session's cookie, with `X-CSRF-Token` on writes).
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document, rendered once.
pub fn document() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".into()))
}

/// `GET /api/openapi.json`
pub(super) async fn openapi_json() -> impl axum::response::IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "application/json"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        document(),
    )
}

/// Every error: what is wrong, and for invalid fields each one with its reason.
/// A grade (`PK`, `K`, `1` to `12`, `ADULT`) or a range of them (`4-8`).
#[derive(ToSchema)]
#[schema(value_type = String, pattern = "^(PK|K|ADULT|[1-9]|1[0-2])(-(K|ADULT|[1-9]|1[0-2]))?$")]
#[allow(dead_code)]
pub struct GradeDoc(String);

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: String,
    fields: Option<Vec<FieldErrorDoc>>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FieldErrorDoc {
    field: String,
    message: String,
}

/// The schedule sources.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SourceList {
    sources: Vec<crate::sources::SourceView>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LoginOut {
    /// Send as `Authorization: Bearer …`.
    token: String,
    expires_in_days: i64,
    user: UserDoc,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UserDoc {
    id: i64,
    email: String,
    /// `teacher` or `admin`.
    role: String,
}

/// A new assignment.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AssignmentIn {
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    #[schema(max_length = 200)]
    title_es: Option<String>,
    #[schema(min_length = 1, max_length = 10000)]
    instructions: String,
    #[schema(max_length = 10000)]
    instructions_es: Option<String>,
    #[schema(max_length = 2000)]
    materials: Option<String>,
    #[schema(max_length = 2000)]
    materials_es: Option<String>,
    #[schema(minimum = 1, maximum = 600)]
    minutes: Option<i64>,
    /// Grades or ranges: `5`, `K`, `4-8`.
    #[schema(min_items = 1, inline, value_type = Vec<GradeDoc>)]
    grades: Vec<String>,
    #[schema(format = Date)]
    due: Option<String>,
    /// At most 50; each names exactly one of airing, episode or series.
    links: Option<Vec<crate::web::work::LinkInput>>,
    /// One of the teacher's classes.
    class: Option<i64>,
}

/// A change: only the fields named change; `null` clears an optional one.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AssignmentPatchDoc {
    title: Option<String>,
    title_es: Option<String>,
    instructions: Option<String>,
    instructions_es: Option<String>,
    materials: Option<String>,
    materials_es: Option<String>,
    minutes: Option<i64>,
    grades: Option<Vec<String>>,
    due: Option<String>,
    links: Option<Vec<crate::web::work::LinkInput>>,
    class: Option<i64>,
}

/// An assignment as stored.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AssignmentDoc {
    id: i64,
    title: String,
    title_es: Option<String>,
    instructions: String,
    instructions_es: Option<String>,
    materials: Option<String>,
    materials_es: Option<String>,
    minutes: Option<i64>,
    grades: Vec<String>,
    due: Option<String>,
    class: Option<i64>,
    links: Vec<crate::web::work::LinkInput>,
    /// The teacher's e-mail.
    owner: String,
    created_at: String,
    updated_at: String,
    deleted: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AssignmentList {
    assignments: Vec<AssignmentDoc>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ClassDoc {
    id: i64,
    name: String,
    grades: Vec<String>,
    /// The secret part of the feed address.
    token: String,
    feed_url: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ClassList {
    classes: Vec<ClassDoc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The property names of schema `name` in the document.
    fn properties(doc: &serde_json::Value, name: &str) -> BTreeSet<String> {
        doc["components"]["schemas"][name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no schema {name}"))
            .keys()
            .cloned()
            .collect()
    }

    fn keys(v: serde_json::Value) -> BTreeSet<String> {
        v.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn the_document_describes_what_the_handlers_send_and_read() {
        let doc: serde_json::Value = serde_json::from_str(document()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let paths: BTreeSet<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(paths.contains("/api/airings") && paths.contains("/api/classes/{id}/token"));
        // An assignment's own fields are the domain's input, as the API reads and sends them.
        let fields = keys(serde_json::to_value(crate::domain::AssignmentInput::default()).unwrap());
        let sent = keys(
            serde_json::to_value(super::super::assignments::AssignmentOut::from(
                crate::packets::tests::assignment(),
            ))
            .unwrap(),
        );
        assert!(sent.is_superset(&fields));
        assert_eq!(properties(&doc, "AssignmentDoc"), sent);
        let mut read = fields.clone();
        read.extend(["links", "class"].map(String::from));
        assert_eq!(properties(&doc, "AssignmentIn"), read);
        assert_eq!(properties(&doc, "AssignmentPatchDoc"), read);
        // Every operation but the schedule and sign-in needs the token.
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                let open = path == "/api/airings" || path == "/api/login";
                assert_eq!(op["security"].is_array(), !open, "{method} {path}");
            }
        }
    }
}
