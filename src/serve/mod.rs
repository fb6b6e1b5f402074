//! `scwres serve`: the collection service. A thin layer over the pipeline:
//! `http` (hyper, limits, security headers), `routes` (who may do what;
//! pages from `render::service`), `db` (SQLite: people, sessions,
//! versions, sign-offs, the audit log; with `publish` the only writer),
//! `auth` (tokens, rate limits), `mail` (SMTP). Every check of a return
//! and every figure is the library's (`run::collect`): no statistics here.

mod admin;
pub mod auth;
pub mod client;
mod council;
mod dashboard;
pub mod db;
mod extract;
pub mod http;
pub mod ids;
mod internal;
mod invite_many;
mod limits;
pub mod mail;
pub mod multipart;
mod notices;
pub mod outbox;
mod outbox_db;
mod own_report;
mod plans;
mod queries;
mod releases;
mod releases_db;
mod routes;
mod table;
mod versions;
mod window;

use crate::config::Config;
use crate::load::{self, benchmarks::Published};
use crate::model::Return;
use crate::register::Register;
use anyhow::Context as _;
use ids::{CouncilCode, Role};
use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

/// What `scwres serve` is asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// The data folder: report.yaml, authorities.csv, `returns/<year>/` of
    /// earlier years; the database is kept here.
    pub data: PathBuf,
    /// The collection year (default: the year after the newest year folder).
    pub year: Option<i32>,
    /// A published release's `benchmarks.csv` (with `publication.json`
    /// beside it): England's figures shown beside a council's own.
    pub published: Option<PathBuf>,
    /// Mail relay for sign-in links, if any.
    pub smtp: Option<mail::Smtp>,
    /// The address people reach the service at (for links in mail), e.g.
    /// `https://sc-wres.example.org`. Cookies are `Secure` when it is https.
    pub base_url: Option<String>,
    /// An administrator to invite on start, if not invited yet.
    pub admin: Option<String>,
    /// Behind a reverse proxy that sets `X-Forwarded-For`: the client's
    /// address (for the sign-in limits) is the last one it gives.
    pub behind_proxy: bool,
    /// The browser's extraction module (`crates/extract-web`, built by
    /// `.ci/wasm`), served to the council's extraction page; without it
    /// the page points to the workbook.
    pub extract_module: Option<PathBuf>,
}

/// The service's state, shared by every request.
pub struct App {
    pub db: Arc<db::Db>,
    /// The data folder.
    pub data: PathBuf,
    /// The release being run, if one is: (reports made, reports to make).
    pub release_progress: Arc<std::sync::Mutex<Option<(usize, usize)>>>,
    pub register: Register,
    pub config: Config,
    pub year: i32,
    /// Each council's newest return of an earlier year, from the data
    /// folder: what its workbook is filled from.
    pub previous: HashMap<String, Return>,
    /// Each of those returns' own figures, made once at start: what a
    /// council's figures stand beside (`collect::own_figures`).
    pub previous_figures: HashMap<String, crate::run::collect::Earlier>,
    /// Each version's figures beside the newest published release's.
    pub beside: Beside,
    /// Each release's contents, read once.
    contents: releases::ContentsCache,
    pub england: Option<Published>,
    pub smtp: Option<mail::Smtp>,
    /// The mail worker, when mail is set up (`outbox`).
    pub mailer: Option<outbox::Mailer>,
    pub base_url: String,
    /// The `Host` every request must name: `--base-url`'s, when given.
    pub expected_host: Option<String>,
    pub secure_cookies: bool,
    pub behind_proxy: bool,
    /// The browser's extraction module, read at start.
    pub extract_module: Option<Arc<Vec<u8>>>,
    /// Called at the start of every release run, on its thread: the tests
    /// make a release panic with it (fault injection). `None` in service.
    pub release_fault: Option<fn()>,
    /// Failed sign-in attempts, per client address.
    pub failed_sign_ins: auth::Limiter,
    /// Sign-in links asked for, per email address.
    pub link_requests: auth::Limiter,
    /// Sign-in links asked for, per client address.
    pub link_requests_by_client: auth::Limiter,
}

/// A council version's figures beside a published release (`council`),
/// kept for the newest release only: a new release starts afresh.
#[derive(Default)]
pub struct Beside(std::sync::Mutex<(i64, HashMap<i64, serde_json::Value>)>);

impl Beside {
    fn get(&self, release: i64, upload: i64) -> Option<serde_json::Value> {
        let held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        (held.0 == release)
            .then(|| held.1.get(&upload).cloned())
            .flatten()
    }

    fn put(&self, release: i64, upload: i64, figures: serde_json::Value) {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if held.0 != release {
            *held = (release, HashMap::new());
        }
        held.1.insert(upload, figures);
    }
}

impl App {
    /// A notice was queued: the mail worker sends it soon.
    pub(crate) fn wake_mailer(&self) {
        if let Some(m) = &self.mailer {
            m.wake();
        }
    }

    /// Loads the configuration, register and earlier returns, and opens
    /// (creating and migrating) the database.
    pub fn open(o: &Options) -> anyhow::Result<App> {
        let config = load::load_config(&crate::load::Folder::new(&o.data))?;
        let register = load::load_register(&crate::load::Folder::new(&o.data))?;
        let years = if o.data.join("returns").is_dir() {
            load::years(&crate::load::Folder::new(&o.data))?
        } else {
            Vec::new()
        };
        let year = match (o.year, years.last()) {
            (Some(y), _) => y,
            (None, Some(last)) => last + 1,
            (None, None) => anyhow::bail!(
                "{}: no returns/<year>/ folders, so the collection year is not known; give --year",
                o.data.display()
            ),
        };
        let mut previous = HashMap::new();
        for y in years.iter().copied().filter(|y| *y < year) {
            for r in
                load::load_year(&crate::load::Folder::new(&o.data), y, &register, &config)?.returns
            {
                previous.insert(r.authority_code.clone(), r);
            }
        }
        let england = match &o.published {
            None => None,
            Some(p) => {
                let bytes = load::guard::read_file(p, load::MAX_BENCHMARKS)
                    .map_err(|r| anyhow::anyhow!("{}: {}", p.display(), r.rule))?;
                Some(
                    load::benchmarks::read(&p.display().to_string(), &bytes)
                        .map_err(anyhow::Error::msg)?,
                )
            }
        };
        let extract_module = match &o.extract_module {
            None => None,
            Some(p) => {
                let bytes = load::guard::read_file(p, 64 << 20)
                    .map_err(|r| anyhow::anyhow!("{}: {}", p.display(), r.rule))?;
                if !bytes.starts_with(b"\0asm") {
                    anyhow::bail!(
                        "{}: not a WebAssembly module; give the one .ci/wasm builds",
                        p.display()
                    );
                }
                Some(Arc::new(bytes))
            }
        };
        let db_path = o.data.join(db::FILE);
        let db = db::Db::open(&db_path)
            .with_context(|| format!("{}: the service's database", db_path.display()))?;
        db::fail_interrupted_releases(&*db.conn()?)?;
        // What a killed run left: its staging folders and locks.
        let left = crate::publish::clear_leftovers(&o.data.join("service-releases"))
            .with_context(|| format!("{}: clearing what stopped runs left", o.data.display()))?;
        if left > 0 {
            eprintln!("scwres serve: removed {left} folders and locks that stopped runs left");
        }
        let base_url = o
            .base_url
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:8080".into())
            .trim_end_matches('/')
            .to_string();
        let db = Arc::new(db);
        let mailer = match &o.smtp {
            Some(smtp) => Some(
                outbox::Mailer::start(db.clone(), smtp.clone(), base_url.clone())
                    .context("the mail worker could not start")?,
            ),
            None => None,
        };
        let previous_figures: HashMap<String, crate::run::collect::Earlier> = previous
            .iter()
            .filter_map(|(code, r)| {
                let rules = crate::run::collect::Rules {
                    register: &register,
                    config: &config,
                    year,
                };
                crate::run::collect::earlier_figures(r, &rules)
                    .map_err(|e| eprintln!("scwres serve: {code}'s earlier figures: {e:#}"))
                    .ok()
                    .map(|f| (code.clone(), f))
            })
            .collect();
        let app = App {
            db,
            mailer,
            data: o.data.clone(),
            release_progress: Default::default(),
            secure_cookies: base_url.starts_with("https://"),
            expected_host: o.base_url.as_ref().map(|_| {
                let rest = base_url
                    .split_once("://")
                    .map_or(base_url.as_str(), |(_, r)| r);
                rest.split('/').next().unwrap_or(rest).to_string()
            }),
            behind_proxy: o.behind_proxy,
            extract_module,
            base_url,
            register,
            config,
            year,
            previous_figures,
            beside: Beside::default(),
            contents: Default::default(),
            previous,
            england,
            smtp: o.smtp.clone(),
            release_fault: None,
            failed_sign_ins: auth::Limiter::new(20, 600),
            link_requests: auth::Limiter::new(3, 3600),
            link_requests_by_client: auth::Limiter::new(30, 3600),
        };
        internal::resume(&app)?;
        Ok(app)
    }

    /// The client's address, for the sign-in limits: the peer, or behind a
    /// proxy the address the proxy put last in `X-Forwarded-For`.
    pub fn client(&self, req: &http::Request) -> String {
        let forwarded = self
            .behind_proxy
            .then(|| req.header("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.rsplit(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        forwarded.unwrap_or_else(|| req.peer.to_string())
    }

    /// The HTTP layer's limits: per client address, unless behind a proxy
    /// (every connection is then the proxy's).
    pub fn limits(&self) -> http::Limits {
        http::Limits {
            per_client: !self.behind_proxy,
            ..http::Limits::default()
        }
    }

    /// The service's origin, `scheme://host`, from its base URL.
    pub fn origin(&self) -> String {
        let (scheme, rest) = self
            .base_url
            .split_once("://")
            .unwrap_or(("http", &self.base_url));
        format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest))
    }

    /// A council code from a request, if it is in the register.
    pub fn council(&self, code: &str) -> Option<CouncilCode> {
        self.register.get(code).map(|a| CouncilCode(a.code.clone()))
    }

    /// A new sign-in link for a person: stored as a hash, the link itself
    /// returned to be shown and, when mail is set up, sent.
    pub fn new_link(&self, who: ids::PersonId) -> Result<String, db::DbError> {
        let t = auth::token();
        db::add_link(&*self.db.conn()?, who, &auth::hash(&t), auth::LINK_TTL)?;
        Ok(format!("{}/sign-in/{t}", self.base_url))
    }
}

impl http::Handler for App {
    fn admit(&self, head: &http::Request) -> Result<http::Admitted, http::Response> {
        routes::admit(self, head)
    }

    fn answer(&self, req: &http::Request) -> http::Response {
        routes::dispatch(self, req)
    }
}

/// Every route of the service: (method, path pattern, who may use it:
/// `anyone`, `signed`, `council` or `team`), from the one table
/// (`serve::table`), for the tests that try them all.
pub fn route_table() -> Vec<(&'static str, &'static str, &'static str)> {
    table::ROUTES
        .iter()
        .map(|r| {
            let who = match r.who {
                table::Who::Anyone => "anyone",
                table::Who::Signed => "signed",
                table::Who::Council => "council",
                table::Who::Team => "team",
            };
            (r.method, r.path, who)
        })
        .collect()
}

/// Files as a zip, stored (not compressed): each file inside is the bytes
/// given, and the same files give the same zip.
pub fn zipped(files: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    for (name, bytes) in files {
        zip.start_file(name.as_str(), opts)?;
        std::io::Write::write_all(&mut zip, bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// People invited on a first start, with their sign-in links: the demo's
/// council and national team, or `--admin`.
pub fn first_links(
    app: &App,
    admin: Option<&str>,
) -> anyhow::Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    let mut c = app.db.conn()?;
    if let Some(email) = admin {
        let p = match db::person_by_email(&c, email)? {
            Some(p) => p.id,
            None => db::invite(&mut c, None, email, Role::Admin, None)?,
        };
        out.push(("national team".into(), email.to_string(), app.new_link(p)?));
    }
    let empty = db::people(&c, None)?.is_empty();
    if app.config.synthetic && empty {
        // The demo: the national team, and a council with a return last
        // year (so its workbook comes filled in).
        let code = app
            .previous
            .keys()
            .min()
            .cloned()
            .or_else(|| app.register.iter().next().map(|a| a.code.clone()))
            .context("the register is empty")?;
        let council = CouncilCode(code.clone());
        let team = db::invite(&mut c, None, "team@example.org", Role::Admin, None)?;
        let analyst = db::invite(
            &mut c,
            None,
            "analyst@council.example.org",
            Role::Submitter,
            Some(&council),
        )?;
        let officer = db::invite(
            &mut c,
            None,
            "director@council.example.org",
            Role::Signer,
            Some(&council),
        )?;
        let name = app
            .register
            .get(&code)
            .map(|a| format!("{} ({code})", a.name))
            .unwrap_or(code);
        out.push((
            "national team".into(),
            "team@example.org".into(),
            app.new_link(team)?,
        ));
        out.push((
            format!("{name}, submitter"),
            "analyst@council.example.org".into(),
            app.new_link(analyst)?,
        ));
        out.push((
            format!("{name}, senior officer"),
            "director@council.example.org".into(),
            app.new_link(officer)?,
        ));
    }
    Ok(out)
}

/// A service listening in this process (tests, benchmarks).
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves `app` on `listener` from a thread of its own until dropped.
pub fn start(app: App, listener: TcpListener) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let app = Arc::new(app);
    let limits = app.limits();
    let handler: Arc<dyn http::Handler> = app;
    let thread = std::thread::Builder::new()
        .name("scwres-serve".into())
        .spawn(move || http::serve(listener, handler, Some(rx), limits))?;
    Ok(Running {
        addr,
        stop: Some(tx),
        thread: Some(thread),
    })
}

/// `scwres serve`: serves until the process is stopped.
pub fn run(o: &Options, listen: &str, say: &dyn Fn(&str)) -> anyhow::Result<()> {
    let listener =
        TcpListener::bind(listen).with_context(|| format!("cannot listen on {listen}"))?;
    // Links name the address actually bound (a port of 0 is chosen now).
    let mut o = o.clone();
    let given = o.base_url.is_some();
    if !given {
        o.base_url = Some(format!("http://{}", listener.local_addr()?));
    }
    let o = &o;
    let mut app = App::open(o)?;
    // Without --base-url any name for this machine is answered.
    if !given {
        app.expected_host = None;
    }
    let links = first_links(&app, o.admin.as_deref())?;
    say(&format!(
        "scwres serve: collecting {} returns at {} (listening on {}); database {}",
        app.year,
        app.base_url,
        listener.local_addr()?,
        o.data.join(db::FILE).display()
    ));
    if app.config.synthetic {
        say("scwres serve: synthetic demo data; every page says so");
    }
    for (who, email, link) in links {
        say(&format!("  sign in as {who}, {email}:\n    {link}"));
    }
    say("scwres serve: ready (stop it with Ctrl+C)");
    let limits = app.limits();
    let handler: Arc<dyn http::Handler> = Arc::new(app);
    http::serve(listener, handler, None, limits)?;
    Ok(())
}
