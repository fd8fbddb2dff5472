//! Which way data moves through the pod, for drawing it: who writes each mounted volume and
//! who reads it, read off the same evidence role inference weighs (`links.rs`), with the
//! roles already decided standing in for the leanings.

use crate::model::pod::{Pod, Section};
use crate::model::volume::VolumeSource;

use super::links::{Access, volume_users};
use super::weigh::facts;
use super::{ContainerRole, RoleAssessment, Toward};

/// Which way one mount carries data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// The container puts data into the volume.
    Writes,
    /// The container takes data out of it.
    Reads,
    /// Nothing shows which way.
    Unknown,
}

/// One container's mount of one volume, with the way the data goes and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountFlow {
    /// Index into `pod.containers`.
    pub container: usize,
    pub volume: String,
    pub path: String,
    pub read_only: bool,
    pub flow: Flow,
    /// The evidence in a few words (`writes /var/log/1.log`); empty when there is none.
    pub how: String,
}

/// Every mount of a declared volume by any container, in container then mount order.
/// `roles` are the pod's assessments, in the order of `pod.containers`.
pub fn mount_flows(pod: &Pod, roles: &[RoleAssessment]) -> Vec<MountFlow> {
    let facts: Vec<_> = pod.containers.iter().map(facts).collect();
    let long_running: Vec<usize> = (0..facts.len())
        .filter(|&i| pod.containers[i].is_long_running())
        .collect();
    let leanings: Vec<Option<Toward>> = (0..facts.len())
        .map(|i| match roles.get(i).map(|r| r.role) {
            Some(ContainerRole::Main) => Some(Toward::Main),
            Some(role) if role.is_pattern_helper() => Some(Toward::Helper(role)),
            _ => None,
        })
        .collect();
    let mut out: Vec<MountFlow> = Vec::new();
    for (i, c) in pod.containers.iter().enumerate() {
        for m in &c.mounts {
            let Some(volume) = pod.volumes.iter().find(|v| v.name == m.volume) else {
                continue;
            };
            let (flow, how) = if volume.source.is_api_content() {
                (Flow::Reads, String::new())
            } else if c.is_long_running() {
                let users = volume_users(pod, &facts, &long_running, &leanings, &m.volume);
                match users.into_iter().find(|(u, _)| *u == i).map(|(_, a)| a) {
                    Some(Access::Writes(_)) if creates_what_it_reads(&facts[i], m) => {
                        (Flow::Reads, "creates the file it reads".to_string())
                    }
                    Some(Access::Writes(how)) => (Flow::Writes, how),
                    Some(Access::Reads(how)) => (Flow::Reads, how),
                    None => (Flow::Unknown, String::new()),
                }
            } else {
                init_access(pod, &facts[i], i, m, &volume.source)
            };
            out.push(MountFlow {
                container: i,
                volume: m.volume.clone(),
                path: m.path.clone(),
                read_only: m.read_only,
                flow,
                how,
            });
        }
    }
    uses_what_init_prepared(pod, &mut out);
    out
}

/// What an init container leaves in a volume is there for the containers that start after it:
/// a later one that mounts the volume, and shows no other use of it, reads it.
fn uses_what_init_prepared(pod: &Pod, flows: &mut [MountFlow]) {
    let prepared: Vec<(usize, String)> = flows
        .iter()
        .filter(|f| f.flow == Flow::Writes && !pod.containers[f.container].is_long_running())
        .map(|f| (f.container, f.volume.clone()))
        .collect();
    for f in flows.iter_mut().filter(|f| f.flow == Flow::Unknown) {
        if let Some((init, _)) = prepared
            .iter()
            .find(|(init, v)| *v == f.volume && *init < f.container)
        {
            f.flow = Flow::Reads;
            f.how = format!("uses what {} prepared", pod.containers[*init].name);
        }
    }
}

/// A container that writes under a mount only the files it also reads there (`touch f; tail
/// -F f`) makes sure they exist for reading: it takes data out, it does not put any in.
fn creates_what_it_reads(f: &super::weigh::Facts, mount: &crate::model::pod::VolumeMount) -> bool {
    let under = |p: &&String| super::signals::mount_for_path(f.container, p) == Some(mount);
    let writes: Vec<&String> = f.files.writes.iter().filter(under).collect();
    let reads: Vec<&String> = f.files.reads.iter().filter(under).collect();
    !reads.is_empty() && writes.iter().all(|w| reads.contains(w))
}

/// An init container runs to completion before the app starts: what it leaves in a writable
/// volume that a later container mounts is what it was for.
fn init_access(
    pod: &Pod,
    f: &super::weigh::Facts,
    index: usize,
    mount: &crate::model::pod::VolumeMount,
    source: &VolumeSource,
) -> (Flow, String) {
    let under = |p: &String| super::signals::mount_for_path(f.container, p) == Some(mount);
    if let Some(file) = f.files.writes.iter().find(|p| under(p)) {
        return (Flow::Writes, format!("writes {file}"));
    }
    if mount.read_only {
        return (
            Flow::Reads,
            format!("mounts it read-only at {}", mount.path),
        );
    }
    if let Some(file) = f.files.reads.iter().find(|p| under(p)) {
        return (Flow::Reads, format!("reads {file}"));
    }
    let later_user = pod.containers.iter().enumerate().any(|(j, c)| {
        j != index
            && (c.section == Section::Regular || j > index)
            && c.mount_of(&mount.volume).is_some()
    });
    if later_user && source.is_pod_storage() {
        return (
            Flow::Writes,
            "prepares it before the app starts".to_string(),
        );
    }
    (Flow::Unknown, String::new())
}
