//! The `lessoncast` command: parses arguments, builds the configuration, and dispatches each
//! command to its own function, which calls into the library.

use anyhow::Context;
use clap::{Parser, Subcommand};
use lessoncast::app::{self, App};
use lessoncast::config::Config;
use lessoncast::import::{self, Format, ImportOptions};
use std::process::ExitCode;
use std::sync::Arc;

/// mimalloc rather than glibc's malloc: an import hands strings from the parser's thread to
/// the writer's, and glibc serialised those frees on its arena locks (see the README's Import).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Public-TV broadcast schedules turned into school work families can follow without internet.
///
/// Settings come from the environment (DATABASE_URL, LESSONCAST_ADDR, LESSONCAST_BASE_URL,
/// LESSONCAST_TZ, RUST_LOG), over an optional lessoncast.toml in the working directory.
#[derive(Parser)]
#[command(name = "lessoncast", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, import the demo week into an empty database, start the scheduled imports and
    /// serve HTTP.
    Serve(ServeArgs),
    /// Import a schedule file, a directory of them, or an http(s) URL, in one transaction.
    ///
    /// Prints added / updated / removed / unchanged / skipped counts. A file that cannot be read
    /// whole is refused: it names the file, line and field, exits non-zero and changes nothing.
    /// A bad programme, row or listing is skipped with a warning (--strict refuses instead).
    Import(ImportArgs),
    /// The family plan for one TV: per child and piece of work, the airing chosen, its other
    /// airings, and any clash no repeat avoids.
    Plan(PlanArgs),
    /// Write a calendar feed to stdout: the same bytes the server publishes.
    Feed(FeedArgs),
    /// Write a printable weekly packet (PDF or HTML) for a grade, or every grade × language.
    Packet(PacketArgs),
    /// Schedule sources kept in the database and re-imported on their cron by `serve` (every
    /// replica shares them; each cron tick runs once among them).
    Source {
        #[command(subcommand)]
        action: SourceAction,
    },
    /// Manage teacher and admin accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Apply database migrations and exit.
    Migrate,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on [env: LESSONCAST_ADDR] [default: 127.0.0.1:8080]
    #[arg(long)]
    addr: Option<String>,
    /// Do not import the demo week into an empty database.
    #[arg(long)]
    no_demo: bool,
}

#[derive(clap::Args)]
struct ImportArgs {
    /// File, directory or http(s):// URL.
    source: String,
    /// Format of the source; auto sniffs it from its first bytes.
    #[arg(long, default_value = "auto", value_parser = parse_format)]
    format: Format,
    /// Call sign of the station, for sources that do not name it (e.g. a TVSS day file).
    #[arg(long, value_name = "CALLSIGN")]
    station: Option<String>,
    /// The station's time zone (e.g. America/Chicago), whatever the source says; also the
    /// zone of CSV local times.
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    tz: Option<chrono_tz::Tz>,
    /// The day of a TVSS response that names none (the `today` endpoint).
    #[arg(long, value_name = "YYYY-MM-DD")]
    day: Option<chrono::NaiveDate>,
    /// Refuse the whole import on any bad programme, row or listing, instead of skipping it
    /// with a warning.
    #[arg(long)]
    strict: bool,
    /// Move every airing by this many whole weeks (keeping local wall-clock times).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    shift_weeks: i64,
    /// Report what would change, then change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print one JSON object on stdout: {"added","updated","removed","unchanged","skipped",
    /// "warnings"}, or {"error":{"file","line","field","message"}} when refused.
    #[arg(long)]
    json: bool,
    /// Grade rules file [env: LESSONCAST_GRADE_RULES] [default: schedules/grade-rules.toml]
    #[arg(long, value_name = "FILE")]
    grade_rules: Option<std::path::PathBuf>,
    /// Request header for URL sources, as "Name: value" (e.g. the PBS X-PBSAUTH key).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
}

#[derive(clap::Args)]
struct PlanArgs {
    /// Each child's grade, comma-separated: 2,5.
    #[arg(long, required_unless_present = "classes")]
    grades: Option<String>,
    /// Class links (the token in a teacher's class feed address), comma-separated.
    #[arg(long, value_name = "TOKENS")]
    classes: Option<String>,
    /// Any day of the week, as YYYY-MM-DD (default: this week).
    #[arg(long, value_name = "DATE")]
    week: Option<String>,
    /// Language: en or es.
    #[arg(long, default_value = "en")]
    lang: String,
    /// One JSON object: {"week","children","items":[{"child","work","airing","alternatives",
    /// "late","clashes_with"}],"clashes":[{"items","text"}],"proven"}.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct FeedArgs {
    #[command(subcommand)]
    which: FeedWhich,
    /// Language: en or es.
    #[arg(long, default_value = "en", global = true)]
    lang: String,
    /// First day of the window (default: two weeks ago).
    #[arg(long, value_name = "DATE", global = true)]
    from: Option<String>,
    /// Last day of the window (default: eight weeks ahead).
    #[arg(long, value_name = "DATE", global = true)]
    to: Option<String>,
    /// Minutes before each airing for a reminder; 0 for none.
    #[arg(long, value_name = "MINUTES", global = true)]
    alarm: Option<String>,
}

#[derive(clap::Args)]
struct PacketArgs {
    /// PK, K, 1 to 12 or ADULT.
    #[arg(
        long,
        required_unless_present_any = ["all", "grades", "classes"],
        conflicts_with_all = ["all", "grades", "classes"]
    )]
    grade: Option<String>,
    /// A family's packet: the family plan for one TV, for children in these grades (2,5).
    #[arg(long, conflicts_with = "all")]
    grades: Option<String>,
    /// A family's packet: children in these teachers' classes (class links or tokens).
    #[arg(long, conflicts_with = "all")]
    classes: Option<String>,
    /// Any day of the week, as YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    week: String,
    /// Language: en or es.
    #[arg(long, default_value = "en")]
    lang: String,
    /// pdf or html.
    #[arg(long, default_value = "pdf")]
    format: String,
    /// Paper: letter or a4.
    #[arg(long, default_value = "letter")]
    size: String,
    /// Large print.
    #[arg(long)]
    large: bool,
    /// Every grade in every language (PDF), into the directory given by -o.
    #[arg(long)]
    all: bool,
    /// Output file (or directory with --all).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    output: std::path::PathBuf,
}

#[derive(Subcommand)]
enum SourceAction {
    /// Add a source: a URL (or a file or directory) read whole on each run, or a PBS call
    /// sign whose next days are fetched from the TV Schedules Service. It runs at once when
    /// `serve` is running, then on its cron.
    Add(SourceAddArgs),
    /// List the sources with their last run, last success, last error and next run.
    List {
        /// One JSON object: {"sources":[{"name","kind","enabled","cron","last_run",…}]}.
        #[arg(long)]
        json: bool,
    },
    /// Run a source now, as a cron tick would, and print what changed.
    Run {
        name: String,
        /// One JSON object: {"outcome","added","updated","removed","unchanged",…} or
        /// {"error"}.
        #[arg(long)]
        json: bool,
    },
    /// Stop running a source on its cron (its data stays).
    Pause { name: String },
    /// Run a paused source on its cron again.
    Resume { name: String },
    /// Remove a source (what it imported stays, and so does its history).
    Remove { name: String },
}

#[derive(clap::Args)]
struct SourceAddArgs {
    /// The source's name, as `source run NAME` and /admin call it.
    name: String,
    /// An http(s):// URL (or a file or directory on this machine), read whole each run.
    #[arg(long, required_unless_present = "tvss", conflicts_with = "tvss")]
    url: Option<String>,
    /// A PBS member station's call sign: fetches {LESSONCAST_TVSS_BASE}{callsign}/day/{YYYYMMDD}/
    /// for today and the next days, with X-PBSAUTH: LESSONCAST_PBS_KEY.
    #[arg(long, value_name = "CALLSIGN")]
    tvss: Option<String>,
    /// Days fetched from today, in the station's zone (TVSS).
    #[arg(long, default_value_t = lessoncast::sources::DEFAULT_DAYS, requires = "tvss")]
    days: u32,
    /// Only the kids listings (TVSS `…/kids/`).
    #[arg(long, requires = "tvss")]
    kids: bool,
    /// Format of a URL source; auto sniffs it.
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// Call sign for sources that do not name their station.
    #[arg(long, value_name = "CALLSIGN")]
    station: Option<String>,
    /// The station's time zone, whatever the source says.
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    tz: Option<chrono_tz::Tz>,
    /// Cron expression with seconds, read in LESSONCAST_TZ (default: every 6 hours).
    #[arg(long, default_value = lessoncast::sources::DEFAULT_CRON)]
    cron: String,
}

#[derive(Subcommand)]
enum UserAction {
    /// Create an account; the password is read from stdin (one line, at least 10 characters).
    Add {
        email: String,
        #[arg(long, value_parser = ["teacher", "admin"], default_value = "teacher")]
        role: String,
    },
    /// List the accounts.
    List,
}

#[derive(Subcommand)]
enum FeedWhich {
    /// Every airing for a grade: PK, K, 1 to 12, ADULT.
    Grade { grade: String },
    /// Every airing of a station, by call sign.
    Station { callsign: String },
    /// A teacher's class, by the token of its feed link.
    Class { token: String },
}

fn valid_email(e: &str) -> bool {
    e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        })
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn parse_zone(s: &str) -> Result<chrono_tz::Tz, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a time zone: write one such as America/Chicago"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server logs what it does; one-shot commands print their own results and log only
    // trouble unless RUST_LOG asks for more.
    let default_filter = match cli.command {
        Command::Serve(_) => "info,sqlx=warn",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default_filter.into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load()?;
    match cli.command {
        Command::Serve(args) => serve(config, args).await,
        Command::Import(args) => import_schedules(config, args).await,
        Command::Plan(args) => plan(config, args).await,
        Command::Feed(args) => feed(config, args).await,
        Command::Packet(args) => packet(config, args).await,
        Command::Source { action } => source(config, action).await,
        Command::User { action } => user(config, action).await,
        Command::Migrate => migrate(config).await,
    }
}

/// `lessoncast serve`.
async fn serve(mut config: Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let ServeArgs { addr, no_demo } = args;
    if let Some(a) = addr {
        if std::env::var("LESSONCAST_BASE_URL").is_err() {
            config.base_url = format!("http://{a}");
        }
        config.addr = a;
    }
    let store = app::open_store(&config).await?;
    if !no_demo {
        app::import_demo_if_empty(&store, &config).await?;
    }
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    eprintln!(
        "lessoncast is serving {} (listening on {})",
        config.base_url,
        listener.local_addr()?
    );
    app::serve(store, Arc::new(config), listener, app::shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

/// `lessoncast import`.
async fn import_schedules(mut config: Config, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let ImportArgs {
        source,
        format,
        station,
        tz,
        day,
        strict,
        shift_weeks,
        dry_run,
        json,
        grade_rules,
        headers,
    } = args;
    if let Some(path) = grade_rules {
        config.grade_rules = path;
    }
    let headers = headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(k, v)| {
                    (
                        k.trim().to_string(),
                        lessoncast::auth::Secret::new(v.trim()),
                    )
                })
                // Not the header itself: its value may be a key.
                .context("--header: write it as \"Name: value\"")
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let store = app::open_store(&config).await?;
    let opts = ImportOptions {
        format,
        station: station.map(|s| s.trim().to_ascii_uppercase()),
        shift_weeks,
        dry_run,
        rules: app::load_rules(&config)?,
        default_tz: Some(config.tz),
        tz,
        day,
        strict,
        progress: !json,
        headers,
        source_id: None,
    };
    let result = import::import(&store, &source, &opts).await;
    store.close().await;
    match result {
        Ok(report) => {
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                for w in &report.warnings {
                    eprintln!("warning: {w}");
                }
                let c = report.counts;
                println!(
                    "{}{} added, {} updated, {} removed, {} unchanged, {} skipped ({} file{}, {} warning{})",
                    if dry_run { "dry run, nothing stored: " } else { "" },
                    c.added,
                    c.updated,
                    c.removed,
                    c.unchanged,
                    c.skipped,
                    report.files,
                    if report.files == 1 { "" } else { "s" },
                    report.warnings.len(),
                    if report.warnings.len() == 1 { "" } else { "s" },
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({ "error": e.to_json(&source) }));
            }
            eprintln!("error: {e}");
            eprintln!("nothing was imported");
            Ok(ExitCode::from(2))
        }
    }
}

/// `lessoncast plan`.
async fn plan(config: Config, args: PlanArgs) -> anyhow::Result<ExitCode> {
    use lessoncast::domain::Week;
    use lessoncast::family;
    use lessoncast::i18n::Lang;
    let lang: Lang = args.lang.parse()?;
    let app = App::new(app::open_store(&config).await?, Arc::new(config));
    let now = chrono::Utc::now();
    let week = match args.week.as_deref() {
        Some(w) => w
            .parse::<Week>()
            .map_err(|e| anyhow::anyhow!("week: {e}"))?,
        None => Week::containing(now.with_timezone(&app.config.tz).date_naive()),
    };
    let children = family::family(&app, args.grades.as_deref(), args.classes.as_deref()).await?;
    let plan = family::plan_week(&app, children, week, now).await?;
    if args.json {
        println!("{}", family::to_json(&plan, lang));
    } else if plan.items.is_empty() {
        println!("no work is planned for the week of {week}: see the full schedule");
    } else {
        for it in &plan.items {
            let who = plan.children[it.child].label(lang);
            let title = lang.pick(&it.work.fields.title, it.work.fields.title_es.as_deref());
            match &it.airing {
                Some(a) => {
                    let also = family::also_airs(it, lang, plan.tz);
                    println!(
                        "{}\t{who}\t{} → {title}{}{}",
                        family::when_where(a, lang, plan.tz),
                        lang.pick(&a.details.title, a.details.title_es.as_deref()),
                        if it.late { " (after it is due)" } else { "" },
                        if also.is_empty() {
                            String::new()
                        } else {
                            format!(" (also airs {})", also.join(", "))
                        }
                    );
                }
                None => println!("-\t{who}\t{title}: none of its airings is this week"),
            }
        }
        for &(a, b) in &plan.clashes {
            println!("clash: {}", family::clash_words(&plan, a, b, lang));
        }
    }
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `lessoncast feed`.
async fn feed(config: Config, args: FeedArgs) -> anyhow::Result<ExitCode> {
    use lessoncast::feeds::{self, FeedKind, FeedParams};
    let FeedArgs {
        which,
        lang,
        from,
        to,
        alarm,
    } = args;
    let app = App::new(app::open_store(&config).await?, Arc::new(config));
    let kind = match which {
        FeedWhich::Grade { grade } => {
            FeedKind::Grade(grade.parse().map_err(|e| anyhow::anyhow!("grade: {e}"))?)
        }
        FeedWhich::Station { callsign } => FeedKind::Station(callsign.to_ascii_uppercase()),
        FeedWhich::Class { token } => feeds::class_feed(&app, token.trim()).await?,
    };
    let params = FeedParams {
        lang: Some(lang),
        from,
        to,
        alarm,
    };
    let today = chrono::Utc::now()
        .with_timezone(&app.config.tz)
        .date_naive();
    let feed = feeds::publish(&app, &params.request(kind, today)?).await?;
    use std::io::Write;
    std::io::stdout().write_all(&feed.body)?;
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `lessoncast packet`.
async fn packet(config: Config, args: PacketArgs) -> anyhow::Result<ExitCode> {
    use lessoncast::domain::{Grade, Week};
    use lessoncast::i18n::Lang;
    use lessoncast::packets::{self, Format, PacketOptions, PaperSize};
    let PacketArgs {
        grade,
        grades,
        classes,
        week,
        lang,
        format,
        size,
        large,
        all,
        output,
    } = args;
    let week: Week = week.parse().map_err(|e| anyhow::anyhow!("week: {e}"))?;
    let lang: Lang = lang.parse()?;
    let format: Format = format.parse()?;
    let size: PaperSize = size.parse()?;
    let app = App::new(app::open_store(&config).await?, Arc::new(config));
    let draw = async |grade: Grade, lang: Lang, format: Format| {
        let request = PacketOptions {
            grade,
            week,
            lang,
            size,
            large,
        };
        packets::publish(&app, &request.into(), format).await
    };
    if all {
        std::fs::create_dir_all(&output)
            .with_context(|| format!("cannot create {}", output.display()))?;
        let mut n = 0;
        for g in Grade::all() {
            for l in [Lang::En, Lang::Es] {
                let drawn = draw(g, l, Format::Pdf).await?;
                let name = format!(
                    "packet-{week}-grade-{}-{}.pdf",
                    g.code().to_ascii_lowercase(),
                    l.code()
                );
                std::fs::write(output.join(&name), drawn.bytes.as_slice())
                    .with_context(|| format!("cannot write {name}"))?;
                n += 1;
            }
        }
        eprintln!(
            "wrote {n} packets for the week of {week} to {}",
            output.display()
        );
    } else {
        let drawn = if grades.is_some() || classes.is_some() {
            use lessoncast::packets::{FamilyScope, PacketRequest, PacketScope};
            let children =
                lessoncast::family::family(&app, grades.as_deref(), classes.as_deref()).await?;
            let tokens = lessoncast::family::tokens(classes.as_deref());
            let tz = app.config.tz;
            let scope = FamilyScope::new(children, &tokens, week, tz, chrono::Utc::now());
            let request = PacketRequest {
                scope: PacketScope::Family(scope),
                week,
                lang,
                size,
                large,
            };
            packets::publish(&app, &request, format).await?
        } else {
            let grade: Grade = grade
                .as_deref()
                .unwrap_or_default()
                .parse()
                .map_err(|e| anyhow::anyhow!("grade: {e}"))?;
            draw(grade, lang, format).await?
        };
        std::fs::write(&output, drawn.bytes.as_slice())
            .with_context(|| format!("cannot write {}", output.display()))?;
        eprintln!("wrote {}", output.display());
    }
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `lessoncast source`.
async fn source(config: Config, action: SourceAction) -> anyhow::Result<ExitCode> {
    use lessoncast::sources::run::{self, Outcome, Settings, Trigger};
    use lessoncast::sources::{Kind, SourceSpec};
    use lessoncast::store::{sources as stored, StoreError};
    let store = app::open_store(&config).await?;
    let now = chrono::Utc::now();
    let find = async |name: &str| match stored::by_name(store.pool(), name.trim()).await {
        Err(StoreError::NotFound) => Err(anyhow::anyhow!(
            "no source is called `{name}`: `lessoncast source list` shows them"
        )),
        other => other.map_err(anyhow::Error::from),
    };
    let code = match action {
        SourceAction::Add(a) => {
            let (kind, location) = match (a.url, a.tvss) {
                (Some(u), None) => (Kind::Url, u),
                (None, Some(t)) => (Kind::Tvss, t),
                _ => anyhow::bail!("give --url URL or --tvss CALLSIGN"),
            };
            let mut spec = SourceSpec::new(&a.name, kind, &location);
            if let Some(f) = a.format {
                spec.format = f;
            }
            spec.station = a.station;
            spec.tz = a.tz;
            spec.cron = a.cron;
            spec.days = a.days;
            spec.kids = a.kids;
            let spec = spec.check()?;
            match stored::add(store.pool(), &spec, now.timestamp()).await {
                Ok(s) => {
                    let next = s
                        .next_run(config.tz, now)
                        .map(|t| t.with_timezone(&config.tz).to_rfc3339())
                        .unwrap_or_default();
                    println!(
                        "added source {} ({} {}); it runs when `serve` next ticks, then on `{}` (next {next})",
                        s.spec.name,
                        s.spec.kind.as_str(),
                        lessoncast::config::redacted(&s.spec.location),
                        s.spec.cron
                    );
                }
                Err(StoreError::AlreadyExists) => {
                    anyhow::bail!("a source called `{}` already exists", spec.name)
                }
                Err(e) => return Err(e.into()),
            }
            ExitCode::SUCCESS
        }
        SourceAction::List { json } => {
            let list = stored::list(store.pool()).await?;
            let views: Vec<_> = list.iter().map(|s| s.view(config.tz, now)).collect();
            if json {
                println!("{}", serde_json::json!({ "sources": views }));
            } else if views.is_empty() {
                println!("no sources: add one with `lessoncast source add NAME --url URL` or `--tvss CALLSIGN`");
            } else {
                for v in views {
                    let state = if v.enabled { "enabled" } else { "paused" };
                    println!(
                        "{}\t{} {}\t{state}\tcron {}\tlast run {} ({})\tnext {}\tfailures {}{}",
                        v.name,
                        v.kind.as_str(),
                        v.location,
                        v.cron,
                        v.last_run.as_deref().unwrap_or("never"),
                        v.last_outcome.as_deref().unwrap_or("-"),
                        v.next_run.as_deref().unwrap_or("-"),
                        v.consecutive_failures,
                        v.last_error
                            .map(|e| format!("\terror: {e}"))
                            .unwrap_or_default(),
                    );
                }
            }
            ExitCode::SUCCESS
        }
        SourceAction::Run { name, json } => {
            let source = find(&name).await?;
            let settings = Settings::from_config(&config);
            match run::run(&store, &settings, &source, Trigger::Now).await {
                Ok(outcome) => {
                    let (label, counts) = match &outcome {
                        Outcome::Imported(r) => ("ok", Some(r)),
                        _ => ("not_modified", None),
                    };
                    if json {
                        let mut v =
                            serde_json::json!({ "name": source.spec.name, "outcome": label });
                        if let Some(r) = counts {
                            let r = serde_json::to_value(r)?;
                            if let (Some(v), Some(r)) = (v.as_object_mut(), r.as_object()) {
                                v.extend(r.clone());
                            }
                        }
                        println!("{v}");
                    } else if let Some(r) = counts {
                        for w in &r.warnings {
                            eprintln!("warning: {w}");
                        }
                        let c = r.counts;
                        println!(
                            "{}: {} added, {} updated, {} removed, {} unchanged, {} skipped",
                            source.spec.name, c.added, c.updated, c.removed, c.unchanged, c.skipped
                        );
                    } else {
                        println!(
                            "{}: not modified since the last run; nothing changed",
                            source.spec.name
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    if json {
                        println!(
                            "{}",
                            serde_json::json!({ "name": source.spec.name, "error": e.to_string() })
                        );
                    }
                    eprintln!("error: {e}");
                    eprintln!("nothing changed: the source keeps its last good data");
                    ExitCode::from(2)
                }
            }
        }
        SourceAction::Pause { name } => {
            let s = find(&name).await?;
            stored::set_enabled(store.pool(), s.id, false, now.timestamp()).await?;
            println!("paused {}", s.spec.name);
            ExitCode::SUCCESS
        }
        SourceAction::Resume { name } => {
            let s = find(&name).await?;
            stored::set_enabled(store.pool(), s.id, true, now.timestamp()).await?;
            println!("resumed {}", s.spec.name);
            ExitCode::SUCCESS
        }
        SourceAction::Remove { name } => {
            let s = find(&name).await?;
            stored::remove(store.pool(), s.id).await?;
            println!("removed {} (what it imported stays)", s.spec.name);
            ExitCode::SUCCESS
        }
    };
    store.close().await;
    Ok(code)
}

/// `lessoncast user`.
async fn user(config: Config, action: UserAction) -> anyhow::Result<ExitCode> {
    use lessoncast::store::users::{self, Role};
    let store = app::open_store(&config).await?;
    match action {
        UserAction::Add { email, role } => {
            let email = email.trim().to_ascii_lowercase();
            if !valid_email(&email) {
                anyhow::bail!("`{email}` is not an e-mail address");
            }
            let role = Role::parse(&role).context("role: teacher or admin")?;
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                eprint!("Password for {email} (at least 10 characters, then Enter): ");
            }
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let password = lessoncast::auth::Secret::new(line.trim_end_matches(['\r', '\n']));
            let hash =
                tokio::task::spawn_blocking(move || lessoncast::auth::hash_password(&password))
                    .await??;
            let now = chrono::Utc::now().timestamp();
            match users::create(store.pool(), &email, &hash, role, now).await {
                Ok(u) => {
                    println!("created {} ({}) with id {}", u.email, u.role.as_str(), u.id)
                }
                Err(lessoncast::store::StoreError::AlreadyExists) => {
                    anyhow::bail!("an account for {email} already exists")
                }
                Err(e) => return Err(e.into()),
            }
        }
        UserAction::List => {
            for u in users::list(store.pool()).await? {
                println!("{}\t{}\t{}", u.id, u.role.as_str(), u.email);
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `lessoncast migrate`.
async fn migrate(config: Config) -> anyhow::Result<ExitCode> {
    app::open_store(&config).await?;
    eprintln!(
        "migrations applied to {}",
        lessoncast::config::redacted(&config.database_url)
    );
    Ok(ExitCode::SUCCESS)
}
