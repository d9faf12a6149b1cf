//! pyv's artifacts as OCI artifacts. One image manifest per build key, tagged with the key
//! ([`super::tag::for_key`]):
//!
//! - `artifactType`: [`ARTIFACT_TYPE`];
//! - `config`: the OCI empty descriptor (`application/vnd.oci.empty.v1+json`, the digest of
//!   `{}`);
//! - one layer: the archive ([`LAYER_TYPE`]), by its SHA-256;
//! - annotations: `org.pyv.key`, `org.pyv.version`, `org.pyv.platform`, `org.pyv.compiler`,
//!   `org.pyv.configure` and `org.pyv.manifest` (the whole `<key>.manifest` text, so a pull
//!   gets the same manifest a file mirror serves).

use std::fs;
use std::path::Path;

use super::client::{digest_of, Registry, MANIFEST};
use crate::install::manifest::Manifest;

pub const ARTIFACT_TYPE: &str = "application/vnd.pyv.artifact.v1";
pub const LAYER_TYPE: &str = "application/vnd.pyv.artifact.layer.v1.tar+gzip";
pub const EMPTY_TYPE: &str = "application/vnd.oci.empty.v1+json";
pub const EMPTY: &[u8] = b"{}";

/// The image manifest for artifact `m` (its archive is `m.size` bytes with `m.sha256`).
pub fn image_manifest(m: &Manifest) -> Vec<u8> {
    let field = |k: &str| m.get(k).unwrap_or("").to_string();
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "artifactType": ARTIFACT_TYPE,
        "config": {"mediaType": EMPTY_TYPE, "digest": digest_of(EMPTY), "size": EMPTY.len()},
        "layers": [{
            "mediaType": LAYER_TYPE,
            "digest": format!("sha256:{}", m.sha256),
            "size": m.size,
            "annotations": {"org.opencontainers.image.title":
                format!("{}.{}", m.key, crate::install::artifact::EXT)},
        }],
        "annotations": {
            "org.pyv.key": m.key,
            "org.pyv.version": field("version"),
            "org.pyv.platform": field("platform"),
            "org.pyv.compiler": field("compiler"),
            "org.pyv.configure": field("configure"),
            "org.pyv.manifest": m.to_text(),
        },
    })
    .to_string()
    .into_bytes()
}

/// What a pulled image manifest says, checked against what this install wants: the pyv
/// manifest and the layer's digest.
pub fn read_image_manifest(
    body: &[u8],
    want_key: &str,
    this_platform: &str,
    where_: &str,
) -> Result<Manifest, String> {
    let bad = |why: &str| format!("{where_}: {why}: refused");
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| bad("the manifest is not JSON"))?;
    if json.get("artifactType").and_then(|v| v.as_str()) != Some(ARTIFACT_TYPE) {
        return Err(bad(&format!(
            "the manifest is not a pyv build (artifactType is not {ARTIFACT_TYPE})"
        )));
    }
    let ann = |k: &str| {
        json.pointer(&format!("/annotations/{}", k.replace('/', "~1")))
            .and_then(|v| v.as_str())
            .unwrap_or("")
    };
    let platform = ann("org.pyv.platform");
    if platform != this_platform {
        return Err(bad(&format!(
            "it is a build for {}, this machine is {this_platform}",
            pyv_core::report::escape(platform)
        )));
    }
    let m = Manifest::parse(ann("org.pyv.manifest")).map_err(|why| {
        bad(&format!(
            "its org.pyv.manifest annotation is unusable ({why})"
        ))
    })?;
    if m.key != want_key {
        return Err(bad(&format!(
            "it holds key {}, not {want_key}",
            pyv_core::report::escape(&m.key)
        )));
    }
    let layer = json.pointer("/layers/0");
    let digest = layer.and_then(|l| l.get("digest")).and_then(|v| v.as_str());
    let size = layer.and_then(|l| l.get("size")).and_then(|v| v.as_u64());
    if digest != Some(&format!("sha256:{}", m.sha256)) || size != Some(m.size) {
        return Err(bad("its layer is not the archive its manifest describes"));
    }
    Ok(m)
}

/// Pulls key `key` into `archive` + `mpath` (through `<archive>.part`, renamed only after the
/// blob's SHA-256 matched). `Ok(None)`: the registry has no such tag.
pub fn pull(
    reg: &mut Registry,
    key: &str,
    archive: &Path,
    mpath: &Path,
) -> Result<Option<Manifest>, String> {
    let tag = super::tag::for_key(key);
    let Some((body, _, _)) = reg.manifest(&tag)? else {
        return Ok(None);
    };
    let where_ = format!("{}:{tag}", reg.reference);
    let m = read_image_manifest(&body, key, &crate::install::artifact::platform(), &where_)?;
    let part = archive.with_extension("part");
    let result = (|| {
        let mut f = fs::File::create(&part).map_err(|e| format!("{}: {e}", part.display()))?;
        reg.blob_to(&format!("sha256:{}", m.sha256), m.size, &mut f)?;
        f.sync_all().map_err(|e| e.to_string())?;
        fs::rename(&part, archive).map_err(|e| e.to_string())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&part);
        return Err(e);
    }
    pyv_core::fsx::write_atomic(mpath, m.to_text().as_bytes()).map_err(|e| e.to_string())?;
    Ok(Some(m))
}

/// Pushes the artifact `archive` with manifest `m`: blobs the registry has are only HEADed.
/// Returns the image manifest's digest and size and whether any blob was sent.
pub fn push(
    reg: &mut Registry,
    archive: &Path,
    m: &Manifest,
) -> Result<(String, u64, bool), String> {
    let mut sent = reg.push_blob(&digest_of(EMPTY), EMPTY)?;
    let layer = format!("sha256:{}", m.sha256);
    sent |= reg.push_blob_file(&layer, archive, m.size)?;
    let body = image_manifest(m);
    let digest = digest_of(&body);
    let tag = super::tag::for_key(&m.key);
    let there = reg.manifest(&tag)?.map(|(_, d, _)| d);
    if there.as_deref() != Some(digest.as_str()) {
        reg.put_manifest(&tag, MANIFEST, &body)?;
        sent = true;
    }
    Ok((digest, body.len() as u64, sent))
}

/// The tag of version `name`'s index (`cpython-<name>`; keys are `cpython-<name>-<os>-…`, so
/// the two never meet).
pub fn index_tag(name: &str) -> String {
    super::tag::for_key(&format!("cpython-{name}"))
}

/// Adds `entries` (manifest digest, size, platform) to version `name`'s image index, keeping
/// the ones it lists already (other platforms' builds); put only when it changed.
pub fn push_index(
    reg: &mut Registry,
    name: &str,
    entries: &[(String, u64, String)],
) -> Result<(), String> {
    use super::client::INDEX;
    let tag = index_tag(name);
    let old = reg.manifest(&tag)?;
    let mut manifests: Vec<serde_json::Value> = old
        .as_ref()
        .and_then(|(body, _, _)| serde_json::from_slice::<serde_json::Value>(body).ok())
        .and_then(|j| j.get("manifests").and_then(|m| m.as_array()).cloned())
        .unwrap_or_default();
    for (digest, size, platform) in entries {
        if manifests
            .iter()
            .any(|m| m.get("digest").and_then(|d| d.as_str()) == Some(digest))
        {
            continue;
        }
        manifests.push(serde_json::json!({
            "mediaType": MANIFEST,
            "artifactType": ARTIFACT_TYPE,
            "digest": digest,
            "size": size,
            "annotations": {"org.pyv.platform": platform},
        }));
    }
    let body = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": INDEX,
        "artifactType": ARTIFACT_TYPE,
        "manifests": manifests,
        "annotations": {"org.pyv.version": name},
    })
    .to_string()
    .into_bytes();
    if old.map(|(_, d, _)| d) != Some(digest_of(&body)) {
        reg.put_manifest(&tag, INDEX, &body)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn manifest(platform: &str) -> Manifest {
        Manifest::parse(&format!(
            "key = cpython-3.99.1-k\nsha256 = {SHA}\nsize = 12\nprefix = /p\nplatform = {platform}\n\
             version = 3.99.1\n"
        ))
        .unwrap()
    }

    #[test]
    fn a_pushed_manifest_reads_back_and_another_platform_is_refused() {
        let body = image_manifest(&manifest("linux-x86_64-glibc2.36"));
        let m = read_image_manifest(&body, "cpython-3.99.1-k", "linux-x86_64-glibc2.36", "r:t")
            .unwrap();
        assert_eq!((m.key.as_str(), m.size), ("cpython-3.99.1-k", 12));
        let e = read_image_manifest(&body, "cpython-3.99.1-k", "linux-aarch64-musl", "r:t")
            .unwrap_err();
        assert!(
            e.contains("a build for linux-x86_64-glibc2.36, this machine is linux-aarch64-musl"),
            "{e}"
        );
        let e = read_image_manifest(
            &body,
            "cpython-3.99.1-other",
            "linux-x86_64-glibc2.36",
            "r:t",
        )
        .unwrap_err();
        assert!(e.contains("not cpython-3.99.1-other"), "{e}");
        let other = String::from_utf8(body.clone())
            .unwrap()
            .replace(ARTIFACT_TYPE, "application/vnd.oci.image.config.v1+json");
        let e = read_image_manifest(
            other.as_bytes(),
            "cpython-3.99.1-k",
            "linux-x86_64-glibc2.36",
            "r:t",
        )
        .unwrap_err();
        assert!(e.contains("not a pyv build"), "{e}");
        let moved =
            String::from_utf8(body)
                .unwrap()
                .replacen(&format!("sha256:{SHA}"), "sha256:00", 1);
        assert!(read_image_manifest(
            moved.as_bytes(),
            "cpython-3.99.1-k",
            "linux-x86_64-glibc2.36",
            "r:t"
        )
        .is_err());
    }
}
