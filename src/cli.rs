//! Command-line definitions (DESIGN §2). Parsing only: `main.rs` dispatches.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "podscope",
    version,
    about = "Explore multi-container Kubernetes pods: what each container is for, which volumes they share",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub tui: TuiArgs,
}

/// `podscope` with no subcommand: the TUI on a cluster, or over manifest files with -f.
#[derive(Debug, Args)]
pub struct TuiArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use (default: its current-context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Only pods in this namespace (default: the context's namespace).
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Pods in all namespaces.
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// Theme: dark, light, high-contrast, catppuccin-mocha, or a path to a theme file.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Never change anything in the cluster (no exec, no debug containers).
    #[arg(long)]
    pub readonly: bool,
    /// Draw the pod diagram with ASCII only (for terminals without box-drawing characters).
    #[arg(long)]
    pub ascii: bool,
    /// No mouse: leave clicks and the wheel to the terminal (the config's `mouse = false`).
    #[arg(long)]
    pub no_mouse: bool,
    /// Image for debug containers (`d`; default busybox, or the config's debug_image).
    #[arg(long, value_name = "IMAGE")]
    pub debug_image: Option<String>,
    /// Open the TUI over manifest files or directories (or - for stdin) instead of a cluster.
    #[arg(short = 'f', long = "filename", value_name = "PATH",
          conflicts_with_all = ["kubeconfig", "context"])]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show each container's role (with evidence) and the shared volumes, without the TUI.
    Describe(DescribeArgs),
    /// The built-in demo cluster: a Kubernetes API server on 127.0.0.1 with the study-note pods.
    Demo(DemoArgs),
    /// Print a container's logs (kubectl logs flags; follows across restarts with -f).
    Logs(LogsArgs),
    /// Run a command in a container (kubectl exec flags), through the API.
    Exec(ExecArgs),
    /// Print the shell completion script: bash, zsh, fish, elvish or powershell.
    #[command(
        after_help = "Load it in the current shell, e.g. `source <(podscope completion bash)`, or write it where your shell looks (see the README)."
    )]
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print podscope's manual page (roff), e.g. `podscope man | man -l -`.
    Man,
    /// Print the effective configuration: every key, its value, its default and where it came from.
    Config(ConfigArgs),
}

/// The TUI's flags that override config keys, so `podscope config` shows what a run with them
/// would use.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// As for the TUI: a theme name or path.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// As for the TUI: the image of debug containers.
    #[arg(long, value_name = "IMAGE")]
    pub debug_image: Option<String>,
    /// As for the TUI: draw the diagram with ASCII only.
    #[arg(long)]
    pub ascii: bool,
    /// As for the TUI: no mouse.
    #[arg(long)]
    pub no_mouse: bool,
}

/// Which cluster: the kubeconfig flags every cluster command shares.
#[derive(Debug, Clone, Args)]
pub struct ClusterArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use (default: its current-context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The pod's namespace (default: the context's namespace).
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The pod (NAME or pod/NAME).
    pub pod: String,
    /// Container name; without it kubectl's default container is used, with a notice.
    #[arg(short = 'c', long, value_name = "NAME")]
    pub container: Option<String>,
    /// Pass stdin to the container.
    #[arg(short = 'i', long)]
    pub stdin: bool,
    /// Stdin is a TTY (needs -i and a terminal).
    #[arg(short = 't', long)]
    pub tty: bool,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The pod (NAME or pod/NAME).
    pub pod: String,
    /// Container name; without it kubectl's default container is used, with a notice.
    #[arg(short = 'c', long, value_name = "NAME")]
    pub container: Option<String>,
    /// Keep streaming new lines (and, unlike kubectl, across container restarts).
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// The previous (terminated) instance of the container.
    #[arg(short = 'p', long)]
    pub previous: bool,
    /// Only the last N lines (-1: all).
    #[arg(
        long,
        value_name = "N",
        default_value_t = -1,
        allow_negative_numbers = true,
        value_parser = tail_lines
    )]
    pub tail: i64,
    /// Only lines newer than this duration, e.g. 30s, 5m, 1h.
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Prefix each line with its RFC3339 timestamp.
    #[arg(long)]
    pub timestamps: bool,
    /// Every container of the pod (init, regular and ephemeral).
    #[arg(long)]
    pub all_containers: bool,
    /// Prefix each line with [pod/NAME/CONTAINER].
    #[arg(long)]
    pub prefix: bool,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Theme for the TUI (see `podscope --help`).
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Never change anything in the cluster (no exec, no debug containers).
    #[arg(long)]
    pub readonly: bool,
    /// Draw the pod diagram with ASCII only (for terminals without box-drawing characters).
    #[arg(long)]
    pub ascii: bool,
    /// No mouse: leave clicks and the wheel to the terminal (the config's `mouse = false`).
    #[arg(long)]
    pub no_mouse: bool,
    /// Image for debug containers (`d`; default busybox).
    #[arg(long, value_name = "IMAGE")]
    pub debug_image: Option<String>,
    /// Only run the API server (for kubectl and kube-rs clients) until Ctrl-C or SIGTERM.
    #[arg(long)]
    pub serve: bool,
    /// Port on 127.0.0.1 (0 or absent: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Write the kubeconfig here (mode 0600) instead of a private temporary directory.
    #[arg(long, value_name = "PATH")]
    pub kubeconfig_out: Option<PathBuf>,
    /// Also serve the pods in these manifests (files, directories or - for stdin).
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// Add N simulated pods with a mix of multi-container patterns (for scale tests).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub synthetic: usize,
    /// Change R simulated pod statuses per second (needs --synthetic).
    #[arg(long, value_name = "R", default_value_t = 0)]
    pub churn: u32,
    /// Keep the CA, the tokens and the objects here (mode 0700), so that a restart on the
    /// same port is what it is on a real cluster: clients reconnect with what they have.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Inject a fault, to try recovery: 429, 500, 503, retry-after=S, slow=D, watch-expired,
    /// deny-namespace=NS, deny-all-namespaces, deny-exec, log-cut=N, exec-cut=D, for=D
    /// (comma-separated or repeated; changeable while running at /podscope/faults).
    #[arg(long = "fault", value_name = "SPEC", value_parser = parse_fault)]
    pub faults: Vec<crate::demo::faults::FaultSet>,
}

fn parse_fault(spec: &str) -> Result<crate::demo::faults::FaultSet, String> {
    crate::demo::faults::FaultSet::parse(spec).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// Pod names to show (all pods when omitted).
    pub pods: Vec<String>,
    /// Only pods in this namespace.
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Pods in all namespaces.
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// Manifest file, directory (searched recursively) or `-` for stdin. Repeatable.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Path to the kubeconfig file (for describing pods on a cluster).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use.
    #[arg(long)]
    pub context: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    /// The pod diagram as a Mermaid flowchart.
    Mermaid,
    /// The pod diagram as a Graphviz digraph.
    Dot,
}

/// The name to show in usage lines: `kubectl podscope` when run as a kubectl plugin.
pub fn display_name(argv0: &str) -> &'static str {
    let base = argv0.rsplit('/').next().unwrap_or(argv0);
    if base.starts_with("kubectl-") {
        "kubectl podscope"
    } else {
        "podscope"
    }
}

/// `--tail N`: a count of lines, or -1 for all of them (kubectl refuses anything below -1).
fn tail_lines(text: &str) -> Result<i64, String> {
    let n: i64 = text
        .parse()
        .map_err(|_| "a whole number of lines is expected (-1: all)".to_string())?;
    if n < -1 {
        return Err("must be greater than or equal to -1 (-1: all lines)".to_string());
    }
    Ok(n)
}
