//! The paths one command reads and writes, checked together before any work: an output never
//! lands on one of the command's inputs, inside a key store it uses, or on another output.
//!
//! Paths are compared where they lead (links and `..` resolved), so `--out ./x.json` and a
//! link to `x.json` are both the input `x.json`. Devices, FIFOs and descriptors (`/dev/null`,
//! `-`) are written through rather than replaced (see `zkmr_core::fsio`), so they never
//! clobber anything; only two reports on one such stream are refused, since they would
//! interleave.

use std::path::{Path, PathBuf};

use zkmr_core::{fsio, Error, Result};

/// The paths of one command, by the flag that named them.
#[derive(Default)]
pub struct Paths<'a> {
    reads: Vec<(&'static str, &'a Path)>,
    stores: Vec<(&'static str, &'a Path)>,
    made_dirs: Vec<(&'static str, &'a Path)>,
    writes: Vec<(&'static str, &'a Path)>,
}

impl<'a> Paths<'a> {
    /// A file the command reads.
    pub fn read(mut self, flag: &'static str, path: impl Into<Option<&'a Path>>) -> Self {
        self.reads.extend(path.into().map(|p| (flag, p)));
        self
    }

    /// A key store the command uses: nothing is written inside it.
    pub fn store(mut self, flag: &'static str, dir: &'a Path) -> Self {
        self.stores.push((flag, dir));
        self
    }

    /// A directory the command makes or replaces whole (a new key store): no input lies inside
    /// it.
    pub fn makes_dir(mut self, flag: &'static str, dir: &'a Path) -> Self {
        self.made_dirs.push((flag, dir));
        self
    }

    /// A file the command writes.
    pub fn write(mut self, flag: &'static str, path: impl Into<Option<&'a Path>>) -> Self {
        self.writes.extend(path.into().map(|p| (flag, p)));
        self
    }

    /// Refuses a write that would replace an input, damage a store or meet another write, and
    /// an output that cannot be written.
    pub fn check(&self) -> Result<()> {
        let reads: Vec<_> = self
            .reads
            .iter()
            .filter_map(|(flag, p)| Some((flag, *p, resolved(p)?)))
            .collect();
        for (flag, dir) in &self.made_dirs {
            let Some(inside) = resolved(dir) else {
                continue;
            };
            if let Some((input, path, _)) = reads.iter().find(|(_, _, r)| r.starts_with(&inside)) {
                return Err(clash(format!(
                    "{input} {} lies inside {flag} {}, which this command replaces",
                    path.display(),
                    dir.display()
                )));
            }
        }
        let mut written: Vec<(&str, &Path, PathBuf, bool)> = Vec::new();
        for (flag, path) in &self.writes {
            fsio::check_writable(path)?;
            let through = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
            let Some(lands) = resolved(path) else {
                continue;
            };
            if let Some((other, _, _, _)) = written
                .iter()
                .find(|(_, _, at, _)| *at == lands && lands != Path::new("/dev/null"))
            {
                return Err(clash(format!(
                    "{other} and {flag} both name {}: each output needs its own path",
                    path.display()
                )));
            }
            written.push((flag, path, lands.clone(), through));
            if through {
                continue;
            }
            if let Some((input, _, _)) = reads.iter().find(|(_, _, r)| *r == lands) {
                return Err(clash(format!(
                    "{flag} {} is the input of {input}: writing it would replace that input",
                    path.display()
                )));
            }
            let dirs = self.stores.iter().chain(&self.made_dirs);
            if let Some((store, dir)) = dirs
                .filter_map(|(f, d)| Some((f, resolved(d)?)))
                .find(|(_, d)| lands.starts_with(d))
            {
                return Err(clash(format!(
                    "{flag} {} lies inside the key store of {store} ({}): writing there would \
                     damage the store",
                    path.display(),
                    dir.display()
                )));
            }
        }
        Ok(())
    }
}

fn clash(reason: String) -> Error {
    Error::Usage(format!("{reason}; nothing was written"))
}

/// Where `path` leads: the file it names after links and `..`, or for a path not made yet, its
/// resolved directory and name. `None` when even the directory does not exist (the read or
/// write fails on its own, naming it).
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = std::fs::canonicalize(path) {
        return Some(real);
    }
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::canonicalize(dir).ok().map(|d| d.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(paths: &Paths) -> String {
        paths.check().unwrap_err().to_string()
    }

    #[test]
    fn an_output_may_not_replace_an_input_a_store_file_or_another_output() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("keys")).unwrap();
        std::fs::write(d.join("keys/manifest.json"), "{}").unwrap();
        std::fs::write(d.join("x.json"), "[1]").unwrap();
        std::os::unix::fs::symlink(d.join("x.json"), d.join("link")).unwrap();
        let (keys, x, link) = (d.join("keys"), d.join("x.json"), d.join("link"));
        let (manifest, out) = (d.join("keys/./manifest.json"), d.join("out"));

        let err = refused(
            &Paths::default()
                .read("--vector", &*x)
                .write("--out", &*link),
        );
        assert!(err.contains("is the input of --vector"), "{err}");
        let err = refused(
            &Paths::default()
                .store("--keys", &keys)
                .write("--out", &*manifest),
        );
        assert!(err.contains("inside the key store of --keys"), "{err}");
        let err = refused(
            &Paths::default()
                .write("--out", &*out)
                .write("--y-out", &*out),
        );
        assert!(err.contains("--out and --y-out both name"), "{err}");
        let err = refused(
            &Paths::default()
                .read("--matrix", &*manifest)
                .makes_dir("--keys", &keys),
        );
        assert!(err.contains("lies inside --keys"), "{err}");

        let null = Path::new("/dev/null");
        Paths::default()
            .read("--vector", &*x)
            .store("--keys", &keys)
            .write("--out", &*out)
            .write("--y-out", null)
            .write("--solidity", null)
            .check()
            .unwrap();
    }
}
