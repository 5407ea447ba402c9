//! The world on disk: DIR/world.json, written atomically (temp file, fsync, rename) with mode
//! 0600 because it holds the lab's credentials; writes are coalesced by the lab's flush task.

use super::world::World;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub fn world_path(dir: &Path) -> PathBuf {
    dir.join("world.json")
}

/// The saved world, if there is one; a file that does not parse is an error (never overwritten
/// silently).
pub fn load(dir: &Path) -> std::io::Result<Option<World>> {
    let path = world_path(dir);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    serde_json::from_slice(&text).map(Some).map_err(|e| {
        std::io::Error::other(format!(
            "{} is not a lab world ({e}); move it away to start a fresh lab",
            path.display()
        ))
    })
}

/// Writes `bytes` to `path` atomically with mode 0600.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

pub fn save(dir: &Path, world: &World) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(world).map_err(std::io::Error::other)?;
    write_private(&world_path(dir), &bytes)
}
