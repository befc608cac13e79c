//! Files vetted writes (`--out`, `--reject-file`): never the database or the input they were made
//! from, and written whole or not at all.
//!
//! A regular file is written to a temporary file in the same folder and renamed into place only
//! once everything was written, flushed and synced, so an interrupted or failed command leaves the
//! old file (or none), never half a report. A device or pipe (`/dev/stdout`, a FIFO) cannot be
//! replaced by a rename and is written directly; its errors still surface in [`OutFile::finish`],
//! before a command commits anything.

use std::fs::{File, Permissions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};
use crate::store::connect::Location;

/// Files an output must not overwrite: the SQLite database with its `-wal`, `-shm` and
/// `-journal` companions, and the input a command reads.
#[derive(Debug, Default)]
pub struct Protected {
    files: Vec<(PathBuf, &'static str)>,
    /// Files known by what they are, not by a name: standard input, when it is the input.
    opened: Vec<(FileId, &'static str)>,
}

impl Protected {
    /// The database's files (none for a server database).
    pub fn database(location: &Location) -> Protected {
        let mut protected = Protected::default();
        if let Location::Sqlite(path) = location {
            // SQLite names its companions after the path it opened, which follows symlinks;
            // both spellings are protected.
            let resolved = resolve(path);
            protected.files.push((resolved.clone(), "the database"));
            for db in [path.as_path(), resolved.as_path()] {
                for suffix in ["-wal", "-shm", "-journal"] {
                    let mut name = db.as_os_str().to_owned();
                    name.push(suffix);
                    protected
                        .files
                        .push((resolve(Path::new(&name)), "a file of the database"));
                }
            }
        }
        protected
    }

    /// Also protects the file a command reads. `-` is standard input, protected as whatever it
    /// is (a redirected file, a pipe, a terminal), so that `/dev/stdin`, `/dev/fd/0` or the
    /// redirected file's own name cannot be written while it is read.
    pub fn with_input(mut self, input: &Path) -> Protected {
        if input == Path::new("-") {
            if let Some(id) = FileId::of_stdin() {
                self.opened.push((id, "the input (standard input)"));
            }
        } else {
            self.files.push((resolve(input), "the input file"));
        }
        self
    }

    /// Refuses `path` (exit 65 naming `field`) when it is one of the protected files, however
    /// it is named: through `..`, symlinks, hard links or `/dev/fd/N`.
    pub fn check(&self, field: &str, path: &Path) -> Result<()> {
        let target = resolve(path);
        let refuse = |what: &str| {
            Err(Error::invalid(
                field,
                format!("{} is {what}; choose another file", path.display()),
            ))
        };
        for (protected, what) in &self.files {
            if *protected == target || same_file(protected, &target) {
                return refuse(what);
            }
        }
        let id = FileId::of_path(path);
        for (protected, what) in &self.opened {
            if id.as_ref() == Some(protected) {
                return refuse(what);
            }
        }
        Ok(())
    }
}

/// An output being written. Dropped without [`OutFile::finish`], it leaves nothing behind.
#[derive(Debug)]
pub struct OutFile {
    field: String,
    path: PathBuf,
    target: Target,
}

#[derive(Debug)]
enum Target {
    /// A regular file (or a new one): a temporary file beside it, renamed into place.
    Replace {
        temp: BufWriter<NamedTempFile>,
        to: PathBuf,
    },
    /// A device or pipe, written as it is.
    Direct(BufWriter<File>),
}

/// An output whose every byte is written and synced; [`Finished::keep`] puts it in place.
#[derive(Debug)]
#[must_use = "a finished output is only put in place by keep()"]
pub struct Finished {
    field: String,
    path: PathBuf,
    temp: Option<(NamedTempFile, PathBuf)>,
}

impl OutFile {
    /// Checks `path` against `protected` and opens it for writing. `field` names the flag in
    /// errors (`out`, `reject-file`).
    pub fn create(field: &str, path: &Path, protected: &Protected) -> Result<OutFile> {
        protected.check(field, path)?;
        let cannot = |e: io::Error| cannot_write(field, path, e);
        let target = match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(Error::invalid(
                    field,
                    format!("{} is a folder; name a file", path.display()),
                ));
            }
            Ok(meta) if !meta.is_file() => Target::Direct(BufWriter::new(
                File::options().write(true).open(path).map_err(cannot)?,
            )),
            existing => {
                // Through a symlink, the file it points to is replaced, not the link.
                let to = resolve(path);
                let folder = match to.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let name = to
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let prefix = format!(".{name}.");
                let mut builder = tempfile::Builder::new();
                builder.prefix(&prefix).suffix(".tmp");
                // A replaced file keeps its permissions; a new one gets what `File::create` gives.
                if let Some(permissions) = existing
                    .ok()
                    .map(|m| m.permissions())
                    .or_else(new_file_permissions)
                {
                    builder.permissions(permissions);
                }
                let temp = builder.tempfile_in(&folder).map_err(cannot)?;
                Target::Replace {
                    temp: BufWriter::with_capacity(1 << 16, temp),
                    to,
                }
            }
        };
        Ok(OutFile {
            field: field.to_string(),
            path: path.to_path_buf(),
            target,
        })
    }

    /// Flushes and syncs everything: every error writing can raise is raised here. Call it
    /// before committing what the file reports on; then [`Finished::keep`].
    pub fn finish(self) -> Result<Finished> {
        let cannot = |e: io::Error| cannot_write(&self.field, &self.path, e);
        let temp = match self.target {
            Target::Direct(mut out) => {
                out.flush().map_err(cannot)?;
                None
            }
            Target::Replace { temp, to } => {
                let temp = temp.into_inner().map_err(|e| cannot(e.into_error()))?;
                temp.as_file().sync_all().map_err(cannot)?;
                Some((temp, to))
            }
        };
        Ok(Finished {
            field: self.field,
            path: self.path,
            temp,
        })
    }

    /// Finishes and keeps: for outputs no transaction depends on (reports, exports).
    pub fn close(self) -> Result<()> {
        self.finish()?.keep()
    }

    /// Maps a write error of this file to `field: cannot write PATH: problem`.
    pub fn error(&self, e: io::Error) -> Error {
        cannot_write(&self.field, &self.path, e)
    }
}

impl Finished {
    /// Renames the temporary file into place.
    pub fn keep(self) -> Result<()> {
        if let Some((temp, to)) = self.temp {
            temp.persist(&to)
                .map_err(|e| cannot_write(&self.field, &self.path, e.error))?;
        }
        Ok(())
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.target {
            Target::Replace { temp, .. } => temp.write(buf),
            Target::Direct(out) => out.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.target {
            Target::Replace { temp, .. } => temp.write_all(buf),
            Target::Direct(out) => out.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Replace { temp, .. } => temp.flush(),
            Target::Direct(out) => out.flush(),
        }
    }
}

fn cannot_write(field: &str, path: &Path, e: io::Error) -> Error {
    Error::invalid(field, format!("cannot write {}: {e}", path.display()))
}

/// What `File::create` gives a new file: read and write for everyone the umask allows (a
/// temporary file alone would be private to its owner).
fn new_file_permissions() -> Option<Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(Permissions::from_mode(0o666))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The absolute path a file is (or would be) at, symlinks followed: the file itself when it
/// exists, else its resolved folder joined with its name (a dangling symlink is followed too).
pub fn resolve(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    // A bound on symlink chains, as the kernel has.
    for _ in 0..40 {
        if let Ok(resolved) = std::fs::canonicalize(&path) {
            return resolved;
        }
        match std::fs::read_link(&path) {
            Ok(link) => {
                path = match path.parent() {
                    Some(parent) => parent.join(link),
                    None => link,
                };
            }
            Err(_) => break,
        }
    }
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return absolute(&path);
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    match std::fs::canonicalize(parent) {
        Ok(parent) => parent.join(name),
        Err(_) => absolute(&path),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Two existing paths naming one file (hard links included).
fn same_file(a: &Path, b: &Path) -> bool {
    matches!((FileId::of_path(a), FileId::of_path(b)), (Some(a), Some(b)) if a == b)
}

/// What a file is, whatever names it: its device and inode (a pipe and a terminal have them
/// too). None where the platform does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    device: u64,
    inode: u64,
}

impl FileId {
    /// The file a path names, symlinks followed (`/dev/stdin` is what standard input is).
    fn of_path(path: &Path) -> Option<FileId> {
        std::fs::metadata(path).ok().and_then(|m| FileId::of(&m))
    }

    /// The file standard input is.
    fn of_stdin() -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
            File::from(fd).metadata().ok().and_then(|m| FileId::of(&m))
        }
        #[cfg(not(unix))]
        {
            None
        }
    }

    #[allow(unused_variables)]
    fn of(meta: &std::fs::Metadata) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(FileId {
                device: meta.dev(),
                inode: meta.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(path: &Path) -> Protected {
        Protected::database(&Location::Sqlite(path.to_path_buf()))
    }

    #[test]
    fn the_database_and_its_companions_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("my.db");
        std::fs::write(&db, "").unwrap();
        let protected = sqlite(&db);
        for name in ["my.db", "my.db-wal", "my.db-shm", "my.db-journal"] {
            let err = protected.check("out", &dir.path().join(name)).unwrap_err();
            assert!(err.to_string().starts_with("out: "), "{err}");
        }
        assert!(protected.check("out", &dir.path().join("report.csv")).is_ok());
        // Spelled another way: through `..`, and through a symlink.
        let other = dir.path().join("sub");
        std::fs::create_dir(&other).unwrap();
        assert!(protected.check("out", &other.join("../my.db-wal")).is_err());
        #[cfg(unix)]
        {
            let link = dir.path().join("link.csv");
            std::os::unix::fs::symlink(&db, &link).unwrap();
            assert!(protected.check("out", &link).is_err());
            let dangling = dir.path().join("dangling");
            std::os::unix::fs::symlink("my.db-shm", &dangling).unwrap();
            assert!(protected.check("out", &dangling).is_err());
        }
    }

    #[test]
    fn the_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "name\n").unwrap();
        let protected = Protected::default().with_input(&input);
        let err = protected.check("reject-file", &input).unwrap_err();
        assert!(err.to_string().contains("the input file"), "{err}");
        #[cfg(unix)]
        {
            let hard = dir.path().join("hard.csv");
            std::fs::hard_link(&input, &hard).unwrap();
            assert!(protected.check("reject-file", &hard).is_err());
        }
        assert!(
            Protected::default()
                .with_input(Path::new("-"))
                .check("x", Path::new("-"))
                .is_ok()
        );
    }

    #[test]
    fn nothing_is_in_place_before_keep_and_nothing_stays_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.txt");
        std::fs::write(&path, "old").unwrap();
        let mut out = OutFile::create("out", &path, &Protected::default()).unwrap();
        out.write_all(b"new").unwrap();
        let finished = out.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        finished.keep().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");

        let mut out = OutFile::create("out", &path, &Protected::default()).unwrap();
        out.write_all(b"half").unwrap();
        drop(out);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_device_fails_in_finish() {
        let mut out = OutFile::create("reject-file", Path::new("/dev/full"), &Protected::default()).unwrap();
        out.write_all(b"x").unwrap();
        let err = out.finish().unwrap_err();
        assert!(
            err.to_string().starts_with("reject-file: cannot write /dev/full"),
            "{err}"
        );
    }
}
