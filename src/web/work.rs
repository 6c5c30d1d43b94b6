//! Assignments and classes as teachers change them, shared by the JSON API and the pages:
//! validation of links, ownership, and the store calls.

use super::auth::Auth;
use super::error::{AppError, OrNotFound};
use super::AppState;
use crate::domain::{
    Assignment, AssignmentFields, AssignmentInput, FieldError, GradeSet, Link,
    MAX_CLASSES_PER_TEACHER, MAX_LINKS, MAX_LIVE_PER_TEACHER, MAX_ON_ONE_LINK,
};
use crate::store::airings;
use crate::store::assignments::{self, Class};
use chrono::Utc;

/// A link as sent by a client: exactly one of the three.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub airing: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub episode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
}

impl From<&Link> for LinkInput {
    fn from(l: &Link) -> Self {
        match l {
            Link::Airing(id) => LinkInput {
                airing: Some(*id),
                ..Default::default()
            },
            Link::Episode(k) => LinkInput {
                episode: Some(k.clone()),
                ..Default::default()
            },
            Link::Series(k) => LinkInput {
                series: Some(k.clone()),
                ..Default::default()
            },
        }
    }
}

/// Checks that each link names exactly one thing and that it exists: the links, or every
/// link's problem as [`AppError::Invalid`] (or the store's failure, which is no link's fault).
pub async fn validate_links(state: &AppState, links: &[LinkInput]) -> Result<Vec<Link>, AppError> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    if links.is_empty() {
        errors.push(FieldError::new(
            "links",
            "attach the work to at least one airing, episode or series",
            "asigne la tarea al menos a una emisión, un episodio o una serie",
        ));
    }
    if links.len() > MAX_LINKS {
        errors.push(FieldError::new(
            "links",
            format!("at most {MAX_LINKS} links"),
            format!("{MAX_LINKS} enlaces como máximo"),
        ));
        return Err(AppError::Invalid(errors));
    }
    let pool = state.store.pool();
    // A key with a control character names nothing stored (keys are made of words and
    // digits), and PostgreSQL refuses a NUL in text outright: such a key is not looked up.
    let storable = |k: &str| !k.chars().any(char::is_control);
    for (i, l) in links.iter().enumerate() {
        let field = format!("links[{i}]");
        let link = match (l.airing, l.episode.as_deref(), l.series.as_deref()) {
            (Some(id), None, None) => match airings::airing_exists(pool, id).await? {
                true => Link::Airing(id),
                false => {
                    errors.push(FieldError::new(
                        &field,
                        format!("no airing {id}"),
                        format!("no existe la emisión {id}"),
                    ));
                    continue;
                }
            },
            (None, Some(key), None) => {
                let series = key.split('/').next().unwrap_or(key);
                match storable(key) && airings::key_exists(pool, series, Some(key)).await? {
                    true => Link::Episode(key.to_string()),
                    false => {
                        errors.push(FieldError::new(
                            &field,
                            format!("no airings of episode `{key}`"),
                            format!("no hay emisiones del episodio `{key}`"),
                        ));
                        continue;
                    }
                }
            }
            (None, None, Some(key)) => {
                match storable(key) && airings::key_exists(pool, key, None).await? {
                    true => Link::Series(key.to_string()),
                    false => {
                        errors.push(FieldError::new(
                            &field,
                            format!("no airings of series `{key}`"),
                            format!("no hay emisiones de la serie `{key}`"),
                        ));
                        continue;
                    }
                }
            }
            _ => {
                errors.push(FieldError::new(
                    &field,
                    "name exactly one of airing, episode or series",
                    "indique solo una cosa: una emisión, un episodio o una serie",
                ));
                continue;
            }
        };
        if !out.contains(&link) {
            out.push(link);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Checks that the class exists and belongs to the teacher.
pub async fn check_class(
    state: &AppState,
    auth: &Auth,
    class: Option<i64>,
) -> Result<Option<i64>, AppError> {
    let Some(id) = class else { return Ok(None) };
    match own_class(state, auth, id).await {
        Err(AppError::NotFound(m)) => Err(AppError::Invalid(vec![FieldError::new(
            "class",
            m,
            format!("no existe la clase {id}"),
        )])),
        other => other.map(|c| Some(c.id)),
    }
}

/// The class, if it is the teacher's own.
pub async fn own_class(state: &AppState, auth: &Auth, id: i64) -> Result<Class, AppError> {
    let c = assignments::class(state.store.pool(), id)
        .await
        .or_not_found(|| format!("no class {id}"))?;
    if c.owner_id != auth.user().id {
        return Err(AppError::Forbidden(
            "that class belongs to another teacher".into(),
        ));
    }
    Ok(c)
}

pub async fn create(
    state: &AppState,
    auth: &Auth,
    input: &AssignmentInput,
    links: &[LinkInput],
    class: Option<i64>,
) -> Result<Assignment, AppError> {
    let fields = input.validate();
    let links = validate_links(state, links).await;
    let (fields, links) = merge_errors(fields, links)?;
    let class = check_class(state, auth, class).await?;
    check_counts(state, auth, &links, None).await?;
    let now = Utc::now().timestamp();
    Ok(assignments::create(
        state.store.pool(),
        auth.user().id,
        class,
        &fields,
        &links,
        now,
    )
    .await?)
}

/// Whether the teacher may have one more live assignment (`except`, being changed or restored,
/// not counted) linked to `links`: within [`MAX_LIVE_PER_TEACHER`], and at most
/// [`MAX_ON_ONE_LINK`] on any one airing, episode or series.
async fn check_counts(
    state: &AppState,
    auth: &Auth,
    links: &[Link],
    except: Option<i64>,
) -> Result<(), AppError> {
    let pool = state.store.pool();
    let owner = auth.user().id;
    if assignments::count_live(pool, owner, except).await? >= MAX_LIVE_PER_TEACHER {
        return Err(AppError::Conflict(format!(
            "you have {MAX_LIVE_PER_TEACHER} assignments already: delete some you no longer need first"
        )));
    }
    let mut errors = Vec::new();
    for link in links {
        if assignments::count_on(pool, owner, link, except).await? >= MAX_ON_ONE_LINK {
            let (what, que) = match link {
                Link::Airing(_) => ("airing", "esta emisión"),
                Link::Episode(_) => ("episode", "este episodio"),
                Link::Series(_) => ("series", "esta serie"),
            };
            errors.push(FieldError::new(
                "links",
                format!(
                    "this {what} already carries {MAX_ON_ONE_LINK} of your assignments: \
                     families see all of them under every airing, so change or delete one first"
                ),
                format!(
                    "{que} ya lleva {MAX_ON_ONE_LINK} de sus tareas: las familias las ven \
                     todas en cada emisión; cambie o borre una primero"
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Both results, or every field error of either (or the links' other failure).
fn merge_errors<L>(
    fields: Result<AssignmentFields, Vec<FieldError>>,
    links: Result<L, AppError>,
) -> Result<(AssignmentFields, L), AppError> {
    match (fields, links) {
        (Ok(f), Ok(l)) => Ok((f, l)),
        (_, Err(e)) if !matches!(e, AppError::Invalid(_)) => Err(e),
        (f, l) => {
            let mut errors = f.err().unwrap_or_default();
            if let Err(AppError::Invalid(more)) = l {
                errors.extend(more);
            }
            Err(AppError::Invalid(errors))
        }
    }
}

/// The assignment, if the user may change it.
pub async fn owned(state: &AppState, auth: &Auth, id: i64) -> Result<Assignment, AppError> {
    let a = assignments::find(state.store.pool(), id)
        .await
        .or_not_found(|| format!("no assignment {id}"))?;
    auth.check_owner(a.owner_id)?;
    Ok(a)
}

pub async fn update(
    state: &AppState,
    auth: &Auth,
    id: i64,
    input: &AssignmentInput,
    links: Option<&[LinkInput]>,
    class: Option<Option<i64>>,
) -> Result<Assignment, AppError> {
    owned(state, auth, id).await?;
    let fields = input.validate();
    let links = match links {
        Some(l) => validate_links(state, l).await.map(Some),
        None => Ok(None),
    };
    let (fields, links) = merge_errors(fields, links)?;
    let class = match class {
        Some(c) => Some(check_class(state, auth, c).await?),
        None => None,
    };
    if let Some(links) = &links {
        check_counts(state, auth, links, Some(id)).await?;
    }
    let now = Utc::now().timestamp();
    Ok(assignments::update(
        state.store.pool(),
        id,
        &fields,
        class,
        links.as_deref(),
        now,
    )
    .await?)
}

pub async fn set_deleted(
    state: &AppState,
    auth: &Auth,
    id: i64,
    deleted: bool,
) -> Result<Assignment, AppError> {
    let a = owned(state, auth, id).await?;
    if !deleted && a.deleted_at.is_some() {
        check_counts(state, auth, &a.links, Some(id)).await?;
    }
    let now = Utc::now().timestamp();
    Ok(assignments::set_deleted(state.store.pool(), id, deleted, auth.user().id, now).await?)
}

pub const MAX_CLASS_NAME: usize = 100;

pub async fn create_class(
    state: &AppState,
    auth: &Auth,
    name: &str,
    grades: &[String],
) -> Result<Class, AppError> {
    let mut errors = Vec::new();
    let name = name.trim();
    if name.is_empty() {
        errors.push(FieldError::new(
            "name",
            "must not be empty",
            "no puede quedar vacío",
        ));
    } else if name.chars().count() > MAX_CLASS_NAME {
        errors.push(FieldError::new(
            "name",
            format!("at most {MAX_CLASS_NAME} characters"),
            format!("{MAX_CLASS_NAME} caracteres como máximo"),
        ));
    }
    if name.chars().any(char::is_control) {
        // A class name is one line, on pages, packets and the feed's NAME.
        errors.push(FieldError::new(
            "name",
            "contains control characters or line breaks",
            "contiene caracteres de control o saltos de línea",
        ));
    }
    let mut set = GradeSet::EMPTY;
    for g in grades {
        match GradeSet::parse_list(g) {
            Ok(s) => set = set.union(s),
            Err(e) => errors.push(FieldError::new("grades", e.to_string(), e.spanish())),
        }
    }
    if set.is_empty() && errors.iter().all(|e| e.field != "grades") {
        errors.push(FieldError::at_least_one_grade());
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if assignments::count_classes(state.store.pool(), auth.user().id).await?
        >= MAX_CLASSES_PER_TEACHER
    {
        return Err(AppError::Conflict(format!(
            "you have {MAX_CLASSES_PER_TEACHER} classes already"
        )));
    }
    let now = Utc::now().timestamp();
    Ok(assignments::create_class(
        state.store.pool(),
        auth.user().id,
        name,
        set,
        &crate::auth::new_token(),
        now,
    )
    .await?)
}

pub async fn renew_class_token(state: &AppState, auth: &Auth, id: i64) -> Result<Class, AppError> {
    own_class(state, auth, id).await?;
    let now = Utc::now().timestamp();
    Ok(
        assignments::renew_class_token(state.store.pool(), id, &crate::auth::new_token(), now)
            .await?,
    )
}

pub fn class_feed_url(state: &AppState, c: &Class) -> String {
    format!("{}/feeds/classes/{}.ics", state.config.base_url, c.token)
}
