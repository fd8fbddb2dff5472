//! podscope's entry point: parse the command line, run the command, map errors to exit codes
//! (0 success, 1 runtime failure, 2 bad usage or bad input).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use podscope::cli::{Cli, Command, ConfigArgs, DemoArgs, DescribeArgs, OutputFormat, display_name};
use podscope::describe::{json, table};
use podscope::launch::{self, Failure};
use podscope::load::load_paths;
use podscope::model::PodInsight;
use podscope::model::diagram::{diagram, export};
use podscope::run;

fn main() -> ExitCode {
    let argv0 = std::env::args().next().unwrap_or_default();
    let command = Cli::command().bin_name(display_name(&argv0));
    let cli = match command
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    podscope::logging::init();
    let result = match cli.command {
        Some(Command::Describe(args)) => describe(args).map(|()| 0),
        Some(Command::Demo(args)) => demo(args).map(|()| 0),
        Some(Command::Exec(args)) => on_runtime(run::exec::run(args)),
        Some(Command::Logs(args)) => on_runtime(run::logs::run(args)),
        Some(Command::Completion { shell }) => completion(shell).map(|()| 0),
        Some(Command::Man) => man().map(|()| 0),
        Some(Command::Config(args)) => config(args).map(|()| 0),
        None => launch::tui(cli.tui).map(|()| 0),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            if f.kubectl_words {
                eprintln!("{}", f.message);
            } else {
                eprintln!("podscope: {}", f.message);
            }
            ExitCode::from(f.code)
        }
    }
}

/// Run a cluster command to completion on a fresh async runtime.
fn on_runtime(command: impl Future<Output = Result<u8, Failure>>) -> Result<u8, Failure> {
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Failure::runtime(format!("cannot start the async runtime: {e}")))?;
    let code = runtime.block_on(command);
    // A stdin pump or a stream still blocked must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    code
}

fn describe(args: DescribeArgs) -> Result<(), Failure> {
    let config = podscope::config::load().map_err(|e| Failure::usage(e.to_string()))?;
    if args.files.is_empty() {
        let runtime = tokio::runtime::Runtime::new()
            .map_err(|e| Failure::runtime(format!("cannot start the async runtime: {e}")))?;
        let pods = runtime.block_on(run::describe::run(&args, &config.role_rules))?;
        if pods.is_empty() && args.pods.is_empty() {
            let scope = if args.all_namespaces {
                "any namespace".to_string()
            } else {
                args.namespace
                    .as_deref()
                    .map_or("this namespace".to_string(), |n| format!("namespace {n}"))
            };
            eprintln!("No resources found in {scope}.");
        }
        return print(&pods, args.output);
    }
    let loaded = load_paths(&args.files, &mut std::io::stdin().lock())
        .map_err(|e| Failure::usage(e.to_string()))?;
    for note in &loaded.notes {
        eprintln!("note: {note}");
    }
    let pods: Vec<PodInsight> = loaded
        .manifests
        .insights(&config.role_rules)
        .into_iter()
        .filter(|i| {
            args.all_namespaces
                || args
                    .namespace
                    .as_ref()
                    .is_none_or(|ns| &i.pod.namespace == ns)
        })
        .filter(|i| args.pods.is_empty() || args.pods.contains(&i.pod.name))
        .collect();
    if let Some(missing) = args
        .pods
        .iter()
        .find(|name| !pods.iter().any(|p| &p.pod.name == *name))
    {
        let ns = args
            .namespace
            .as_deref()
            .map(|n| format!(" in namespace {n}"))
            .unwrap_or_default();
        return Err(Failure::usage(format!(
            "pod {missing} not found{ns} in the given manifests"
        )));
    }
    print(&pods, args.output)?;
    // Shown, so the mistake can be seen in context, but refused as the API server would.
    let refused = loaded.manifests.refused();
    if !refused.is_empty() {
        return Err(Failure::usage(format!(
            "{}\n(the API server would refuse {}; fix the fields named)",
            refused.join("\n"),
            if refused.len() == 1 {
                "this pod"
            } else {
                "these pods"
            }
        )));
    }
    Ok(())
}

fn print(pods: &[PodInsight], output: OutputFormat) -> Result<(), Failure> {
    let text = match output {
        OutputFormat::Json => json::to_string(pods) + "\n",
        OutputFormat::Mermaid => export::mermaid(&pods.iter().map(diagram).collect::<Vec<_>>()),
        OutputFormat::Dot => export::dot(&pods.iter().map(diagram).collect::<Vec<_>>()),
        OutputFormat::Table => {
            let stdout = std::io::stdout();
            let colour =
                stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            table::render(pods, table::Paint { enabled: colour })
        }
    };
    emit(text.as_bytes())
}

/// Write to stdout; a closed pipe (`podscope describe | head`) is not an error worth reporting.
fn emit(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`podscope describe | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::runtime(format!("cannot write output: {e}"))),
    }
}

/// `podscope completion SHELL`: the script, from the same definitions the parser uses.
fn completion(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "podscope", &mut script);
    emit(&script)
}

/// `podscope man`: the manual page, in roff.
fn man() -> Result<(), Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Failure::runtime(format!("cannot write the manual page: {e}")))?;
    emit(&page)
}

/// `podscope config`: the effective configuration, key by key.
fn config(args: ConfigArgs) -> Result<(), Failure> {
    use podscope::config_keys::{Flags, effective, render};
    let config = podscope::config::load().map_err(|e| Failure::usage(e.to_string()))?;
    let file_line = match podscope::config::config_path() {
        Some(path) => {
            let named = std::env::var_os("PODSCOPE_CONFIG").is_some_and(|p| !p.is_empty());
            let why = if named {
                " (named by PODSCOPE_CONFIG)"
            } else {
                ""
            };
            if path.is_file() {
                format!("config file: {}{why}", path.display())
            } else {
                format!(
                    "config file: {}{why}, not found: every key has its default",
                    path.display()
                )
            }
        }
        None => "no config file: neither XDG_CONFIG_HOME nor HOME is set".to_string(),
    };
    let file = podscope::config::config_path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let flags = Flags {
        theme: args.theme,
        debug_image: args.debug_image,
        ascii: args.ascii,
        no_mouse: args.no_mouse,
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let rows = effective(&config, &file, &flags, no_color);
    emit(render(&rows, &file_line).as_bytes())
}

fn demo(args: DemoArgs) -> Result<(), Failure> {
    let extra = if args.files.is_empty() {
        Default::default()
    } else {
        let loaded = load_paths(&args.files, &mut std::io::stdin().lock())
            .map_err(|e| Failure::usage(e.to_string()))?;
        loaded.notes.iter().for_each(|n| eprintln!("note: {n}"));
        loaded.manifests
    };
    if !args.serve {
        return launch::demo_tui(args, extra);
    }
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Failure::runtime(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let options = launch::demo_options(&args, extra);
        let cluster = podscope::demo::DemoCluster::start(options)
            .await
            .map_err(|e| {
                Failure::runtime(format!(
                    "cannot start the demo cluster on 127.0.0.1:{}: {e}",
                    args.port
                ))
            })?;
        // Write errors are ignored: the server keeps running if whoever started it closes
        // our stdout (a pipe read only up to the export line, say).
        if let Some(notice) = cluster.isolation_notice() {
            let _ = writeln!(std::io::stderr(), "warning: {notice}");
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "podscope demo cluster serving {} pods at {}",
            cluster.pod_count(),
            cluster.url
        );
        let _ = writeln!(out, "kubeconfig: {}", cluster.kubeconfig.display());
        let _ = writeln!(out, "export KUBECONFIG={}", cluster.kubeconfig.display());
        let _ = writeln!(out, "stop with Ctrl-C");
        let _ = out.flush();
        drop(out);
        wait_for_stop_signal().await;
        cluster.stop().await;
        let _ = writeln!(std::io::stderr(), "demo cluster stopped");
        Ok(())
    })
}

async fn wait_for_stop_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async {
            match term.as_mut() {
                Some(t) => { t.recv().await; }
                None => std::future::pending::<()>().await,
            }
        } => {}
    }
}
