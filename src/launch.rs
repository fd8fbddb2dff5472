//! Starting the TUI: on a cluster (`podscope`), over manifest files (`podscope -f`) or on the
//! built-in demo cluster (`podscope demo`). Wires the config, the theme, the cluster feed
//! and the event loop together; errors come back as a [`Failure`] for a person.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use k8s_openapi::jiff::Timestamp;

use crate::cli::{DemoArgs, TuiArgs};
use crate::cluster::{self, Target};
use crate::config::{self, ThemeChoice};
use crate::demo::{DemoCluster, DemoOptions};
use crate::load::load_paths;
use crate::logging::log;
use crate::model::PodInsight;
use crate::model::manifest::ManifestSet;
use crate::state::{App, Msg, Scope, Source, pod_set, update};
use crate::theme::{self, Theme};
use crate::tui::event_loop;
use crate::tui::feed::{ClusterFeed, Feed};

/// An error for a person: what went wrong and what to do, with the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
    /// Printed as it is, without the `podscope:` prefix: kubectl's own words
    /// (`error: ...`, `Error from server (...)`) for the kubectl-compatible commands.
    pub kubectl_words: bool,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
            kubectl_words: false,
        }
    }

    pub fn runtime(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
            kubectl_words: false,
        }
    }

    /// A runtime failure worded as kubectl words it.
    pub fn kubectl(message: impl Into<String>) -> Failure {
        Failure {
            kubectl_words: true,
            ..Failure::runtime(message)
        }
    }
}

/// A connection that could not be set up: bad input (exit 2) when the command line named
/// what does not exist, the environment's fault (exit 1) otherwise.
pub fn connect_failure(e: cluster::ConnectError) -> Failure {
    if e.is_bad_input() {
        Failure::usage(e.to_string())
    } else {
        Failure::runtime(e.to_string())
    }
}

/// The theme: `--theme`, else the config file's, else the default; `NO_COLOR` means none
/// unless a theme was asked for on the command line.
pub fn resolve_theme(flag: Option<&str>, choice: &ThemeChoice) -> Result<Theme, Failure> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if no_color && flag.is_none() {
        return Ok(Theme::monochrome());
    }
    let name = flag.or(choice.name.as_deref()).unwrap_or(theme::DEFAULT);
    Theme::load(name, choice.overrides.as_ref()).map_err(|e| Failure::usage(e.to_string()))
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Runtime::new()
        .map_err(|e| Failure::runtime(format!("cannot start the async runtime: {e}")))
}

fn need_terminal() -> Result<(), Failure> {
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        Ok(())
    } else {
        Err(Failure::usage(
            "the TUI needs a terminal (stdin and stdout are not both a tty); for text output use podscope describe",
        ))
    }
}

fn ui_error(e: std::io::Error) -> Failure {
    Failure::runtime(format!("terminal error: {e}"))
}

/// What the user asked of the actions on containers.
struct Actions {
    readonly: bool,
    ascii: bool,
    mouse: bool,
    debug_image: Option<String>,
    log_lines: Option<usize>,
}

impl Actions {
    fn apply(&self, app: &mut App) {
        app.readonly = self.readonly;
        app.ascii = self.ascii;
        app.mouse = self.mouse;
        if let Some(image) = &self.debug_image {
            app.debug_image = image.clone();
        }
        if let Some(n) = self.log_lines {
            app.log_capacity = n;
        }
    }
}

/// `podscope [--kubeconfig P] [--context C] [-n NS | -A]` and `podscope -f PATH ...`.
pub fn tui(args: TuiArgs) -> Result<(), Failure> {
    let config = config::load().map_err(|e| Failure::usage(e.to_string()))?;
    let theme = resolve_theme(args.theme.as_deref(), &config.theme)?;
    let actions = Actions {
        readonly: args.readonly,
        ascii: args.ascii || config.ascii,
        mouse: !args.no_mouse && config.mouse.unwrap_or(true),
        debug_image: args.debug_image.clone().or(config.debug_image.clone()),
        log_lines: config.log_lines,
    };
    let rules = Arc::new(config.role_rules);
    if !args.files.is_empty() {
        let loaded = load_paths(&args.files, &mut std::io::stdin().lock())
            .map_err(|e| Failure::usage(e.to_string()))?;
        need_terminal()?;
        for note in &loaded.notes {
            log(&format!("note: {note}"));
        }
        let pods: Vec<PodInsight> = loaded.manifests.insights(&rules);
        let paths = args.files.iter().map(|p| p.display().to_string()).collect();
        let scope = match args.namespace {
            Some(ns) => Scope::Namespace(ns),
            None => Scope::All,
        };
        let mut app = App::new(Source::Files { paths }, scope, Timestamp::now());
        update(&mut app, Msg::Pods(pod_set(pods)));
        return runtime()?
            .block_on(event_loop::run(app, &theme, Feed::Files))
            .map_err(ui_error);
    }
    let target = Target {
        kubeconfig: args.kubeconfig,
        context: args.context,
    };
    let runtime = runtime()?;
    runtime.block_on(async {
        // Reading the kubeconfig contacts nothing; its errors come before the terminal check.
        let connection = cluster::connect(&target).await.map_err(connect_failure)?;
        need_terminal()?;
        let scope = if args.all_namespaces {
            Scope::All
        } else {
            Scope::Namespace(
                args.namespace
                    .unwrap_or_else(|| connection.namespace.clone()),
            )
        };
        log(&format!(
            "podscope on {} (context {})",
            connection.server,
            connection.context.as_deref().unwrap_or("in-cluster")
        ));
        let feed = ClusterFeed::new(connection, target, rules);
        let mut app = App::new(feed.source(), scope, Timestamp::now());
        actions.apply(&mut app);
        event_loop::run(app, &theme, Feed::Cluster(Box::new(feed)))
            .await
            .map_err(ui_error)
    })
}

/// `podscope demo`: the demo cluster in this process and the TUI on it.
pub fn demo_tui(args: DemoArgs, extra: crate::model::manifest::ManifestSet) -> Result<(), Failure> {
    let config = config::load().map_err(|e| Failure::usage(e.to_string()))?;
    let theme = resolve_theme(args.theme.as_deref(), &config.theme)?;
    need_terminal()?;
    let actions = Actions {
        readonly: args.readonly,
        ascii: args.ascii || config.ascii,
        mouse: !args.no_mouse && config.mouse.unwrap_or(true),
        debug_image: args.debug_image.clone().or(config.debug_image.clone()),
        log_lines: config.log_lines,
    };
    let rules = Arc::new(config.role_rules);
    let runtime = runtime()?;
    runtime.block_on(async {
        let options = demo_options(&args, extra);
        let cluster = DemoCluster::start(options).await.map_err(|e| {
            Failure::runtime(format!(
                "cannot start the demo cluster on 127.0.0.1:{}: {e}",
                args.port
            ))
        })?;
        if let Some(notice) = cluster.isolation_notice() {
            log(&format!("demo: {notice}"));
        }
        log(&format!(
            "demo cluster at {}; kubeconfig {}",
            cluster.url,
            cluster.kubeconfig.display()
        ));
        let target = Target {
            kubeconfig: Some(PathBuf::from(&cluster.kubeconfig)),
            context: None,
        };
        let result = match cluster::connect(&target).await {
            Ok(connection) => {
                let feed = ClusterFeed::new(connection, target, rules);
                let mut app = App::new(feed.source(), Scope::All, Timestamp::now());
                actions.apply(&mut app);
                event_loop::run(app, &theme, Feed::Cluster(Box::new(feed)))
                    .await
                    .map_err(ui_error)
            }
            Err(e) => Err(Failure::runtime(format!(
                "cannot use the demo cluster: {e}"
            ))),
        };
        cluster.stop().await;
        result
    })
}

/// What `podscope demo` was asked to serve.
pub fn demo_options(args: &DemoArgs, extra: ManifestSet) -> DemoOptions {
    DemoOptions {
        port: args.port,
        kubeconfig_out: args.kubeconfig_out.clone(),
        extra,
        synthetic: args.synthetic,
        churn: args.churn,
        timing: Default::default(),
        no_namespaces: false,
        faults: args
            .faults
            .iter()
            .fold(Default::default(), |all, one| all.merge(one)),
        state_dir: args.state_dir.clone(),
    }
}
