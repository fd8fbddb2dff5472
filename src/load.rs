//! Reading manifest files from disk (or stdin) for `-f`: files, directories searched
//! recursively for `*.yaml`, `*.yml` and `*.json`, and `-` for standard input.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::model::manifest::{ManifestError, ManifestSet, parse_manifests};

#[derive(Debug)]
pub enum LoadError {
    Read { path: String, error: std::io::Error },
    Manifest(ManifestError),
    NoPods { path: String },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Read { path, error } => write!(f, "cannot read {path}: {error}"),
            LoadError::Manifest(e) => e.fmt(f),
            LoadError::NoPods { path } => write!(
                f,
                "{path} holds no pods: expected a Pod, a workload with a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob) or a List of them"
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// What loading found, plus notes for stderr (skipped objects and files).
#[derive(Debug, Default)]
pub struct Loaded {
    pub manifests: ManifestSet,
    pub notes: Vec<String>,
}

/// Load every path in order. An explicitly named file (or stdin) without pods is an error;
/// inside a directory such a file is only noted, but the directory as a whole must hold pods.
pub fn load_paths(paths: &[PathBuf], stdin: &mut dyn Read) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            stdin
                .read_to_string(&mut text)
                .map_err(|error| LoadError::Read {
                    path: "standard input".to_string(),
                    error,
                })?;
            let set = parse_manifests(&text, "-").map_err(LoadError::Manifest)?;
            require_pods(&set, "standard input")?;
            add(&mut loaded, set);
        } else if path.is_dir() {
            let mut files = Vec::new();
            collect_dir(path, &mut files).map_err(|error| LoadError::Read {
                path: path.display().to_string(),
                error,
            })?;
            let before = loaded.manifests.pods.len();
            for file in files {
                let set = load_file(&file)?;
                if set.pods.is_empty() && set.config_maps.is_empty() {
                    loaded
                        .notes
                        .push(format!("{}: no pods in this file, skipped", file.display()));
                }
                add(&mut loaded, set);
            }
            if loaded.manifests.pods.len() == before {
                return Err(LoadError::NoPods {
                    path: format!("directory {}", path.display()),
                });
            }
        } else {
            let set = load_file(path)?;
            require_pods(&set, &path.display().to_string())?;
            add(&mut loaded, set);
        }
    }
    Ok(loaded)
}

fn add(loaded: &mut Loaded, set: ManifestSet) {
    loaded
        .notes
        .extend(set.skipped.iter().map(ToString::to_string));
    loaded.manifests.extend(set);
}

fn require_pods(set: &ManifestSet, name: &str) -> Result<(), LoadError> {
    if set.pods.is_empty() {
        return Err(LoadError::NoPods {
            path: name.to_string(),
        });
    }
    Ok(())
}

fn load_file(path: &Path) -> Result<ManifestSet, LoadError> {
    let read_error = |error| LoadError::Read {
        path: path.display().to_string(),
        error,
    };
    let bytes = std::fs::read(path).map_err(read_error)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ))
    })?;
    parse_manifests(&text, &path.display().to_string()).map_err(LoadError::Manifest)
}

/// Manifest files under `dir`, sorted, skipping hidden entries such as `.git`.
fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_dir(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
    Ok(())
}
