//! Volumes from k8s-openapi into the model: each source kind with the fields podscope shows
//! (never a secret's data: only the secret's name).

use k8s_openapi::api::core::v1 as core;

use crate::model::volume::{ProjectedSource, Volume, VolumeSource};

pub fn volume(v: &core::Volume) -> Volume {
    Volume {
        name: v.name.clone(),
        source: volume_source(v),
    }
}

fn volume_source(v: &core::Volume) -> VolumeSource {
    if let Some(e) = &v.empty_dir {
        return VolumeSource::EmptyDir {
            medium: e.medium.clone(),
            size_limit: e.size_limit.as_ref().map(|q| q.0.clone()),
        };
    }
    if let Some(c) = &v.config_map {
        return VolumeSource::ConfigMap {
            name: c.name.clone(),
        };
    }
    if let Some(s) = &v.secret {
        return VolumeSource::Secret {
            name: s.secret_name.clone(),
        };
    }
    if let Some(p) = &v.persistent_volume_claim {
        return VolumeSource::PersistentVolumeClaim {
            claim_name: p.claim_name.clone(),
            read_only: p.read_only.unwrap_or(false),
        };
    }
    if let Some(h) = &v.host_path {
        return VolumeSource::HostPath {
            path: h.path.clone(),
            kind: h.type_.clone(),
        };
    }
    if let Some(p) = &v.projected {
        return VolumeSource::Projected {
            sources: p.sources.iter().flatten().filter_map(projection).collect(),
        };
    }
    if let Some(d) = &v.downward_api {
        return VolumeSource::DownwardApi {
            files: d.items.iter().flatten().map(|i| i.path.clone()).collect(),
        };
    }
    if let Some(c) = &v.csi {
        return VolumeSource::Csi {
            driver: c.driver.clone(),
            read_only: c.read_only.unwrap_or(false),
        };
    }
    if let Some(e) = &v.ephemeral {
        let spec = e.volume_claim_template.as_ref().map(|t| &t.spec);
        return VolumeSource::Ephemeral {
            storage_class: spec.and_then(|s| s.storage_class_name.clone()),
            access_modes: spec
                .and_then(|s| s.access_modes.clone())
                .unwrap_or_default(),
            storage: spec
                .and_then(|s| s.resources.as_ref())
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .map(|q| q.0.clone()),
        };
    }
    if let Some(n) = &v.nfs {
        return VolumeSource::Nfs {
            server: n.server.clone(),
            path: n.path.clone(),
        };
    }
    if let Some(i) = &v.image {
        return VolumeSource::Image {
            reference: i.reference.clone(),
        };
    }
    let others: [(&str, bool); 18] = [
        ("awsElasticBlockStore", v.aws_elastic_block_store.is_some()),
        ("azureDisk", v.azure_disk.is_some()),
        ("azureFile", v.azure_file.is_some()),
        ("cephfs", v.cephfs.is_some()),
        ("cinder", v.cinder.is_some()),
        ("fc", v.fc.is_some()),
        ("flexVolume", v.flex_volume.is_some()),
        ("flocker", v.flocker.is_some()),
        ("gcePersistentDisk", v.gce_persistent_disk.is_some()),
        ("gitRepo", v.git_repo.is_some()),
        ("glusterfs", v.glusterfs.is_some()),
        ("iscsi", v.iscsi.is_some()),
        ("photonPersistentDisk", v.photon_persistent_disk.is_some()),
        ("portworxVolume", v.portworx_volume.is_some()),
        ("quobyte", v.quobyte.is_some()),
        ("rbd", v.rbd.is_some()),
        ("scaleIO", v.scale_io.is_some()),
        ("vsphereVolume", v.vsphere_volume.is_some()),
    ];
    match others.iter().find(|(_, set)| *set) {
        Some((kind, _)) => VolumeSource::Other {
            kind: kind.to_string(),
        },
        None if v.storageos.is_some() => VolumeSource::Other {
            kind: "storageos".to_string(),
        },
        // The API server defaults a volume with no source to an empty emptyDir.
        None => VolumeSource::EmptyDir {
            medium: None,
            size_limit: None,
        },
    }
}

fn projection(p: &core::VolumeProjection) -> Option<ProjectedSource> {
    if let Some(t) = &p.service_account_token {
        Some(ProjectedSource::ServiceAccountToken {
            path: t.path.clone(),
            expiration_seconds: t.expiration_seconds,
        })
    } else if let Some(c) = &p.config_map {
        Some(ProjectedSource::ConfigMap {
            name: c.name.clone(),
        })
    } else if let Some(s) = &p.secret {
        Some(ProjectedSource::Secret {
            name: s.name.clone(),
        })
    } else if let Some(d) = &p.downward_api {
        Some(ProjectedSource::DownwardApi {
            files: d.items.iter().flatten().map(|i| i.path.clone()).collect(),
        })
    } else if p.cluster_trust_bundle.is_some() {
        Some(ProjectedSource::ClusterTrustBundle)
    } else if p.pod_certificate.is_some() {
        Some(ProjectedSource::PodCertificate)
    } else {
        None
    }
}
