//! Sink: where the pipeline's output goes. `build` writes into a staging directory swapped in
//! at the end ([`Disk`]); `check` keeps every file in memory ([`Memory`]); the dev server keeps
//! its own file map ([`crate::incremental`]). The stages before do not know which.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::compress;
use crate::diagnostic::Diagnostic;
use crate::output::{self, Staging, WriteError};
use crate::pipeline::plan::{Route, Routes};
use crate::pipeline::render::OutputFile;
use crate::site::Site;

/// Where a run's files go. Pages arrive from many threads as they are rendered; the other
/// files once, at the end.
pub trait Sink: Sync {
    /// Whether the search index is delivered in parts (a head and chunks fetched on demand), as
    /// `build` writes it; otherwise one whole bundle, which the same search.js and wasm read.
    fn split_index(&self) -> bool {
        false
    }

    /// Whether the model's plain text may be dropped once the index has its documents (a sink
    /// that hands the model back keeps it).
    fn keeps_text(&self) -> bool {
        true
    }

    /// Whether writing the site-wide files is a stage of its own ([`crate::Stage::Write`]).
    fn write_stage(&self) -> bool {
        false
    }

    /// A last check of the site before anything is written: an error refuses it.
    fn accept(&self, _site: &Site) -> Result<(), Diagnostic> {
        Ok(())
    }

    /// Called once before any page, with the route table.
    fn prepare(&self, _routes: &Routes) -> Result<(), WriteError> {
        Ok(())
    }

    /// One rendered page and the files beside it (its Markdown twin and JSON record). A page
    /// may come twice (rendered again after a failure elsewhere): the last one counts.
    fn page(&self, route: &Route, html: Vec<u8>, beside: Vec<OutputFile>)
        -> Result<(), WriteError>;

    /// Every other file: the site-wide ones, the assets, the search index (and its chunks).
    fn files(&self, files: Vec<OutputFile>) -> Result<(), WriteError>;
}

/// Every file in memory, by path: what `check` holds.
#[derive(Default)]
pub struct Memory {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
    pages: Mutex<usize>,
}

impl Memory {
    /// The files, sorted by path, and how many of them are pages.
    pub fn into_files(self) -> (Vec<OutputFile>, usize) {
        let files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        let pages = self.pages.into_inner().unwrap_or_else(|e| e.into_inner());
        (files.into_iter().collect(), pages)
    }
}

impl Sink for Memory {
    fn page(
        &self,
        route: &Route,
        html: Vec<u8>,
        beside: Vec<OutputFile>,
    ) -> Result<(), WriteError> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if files.insert(route.path.clone(), html).is_none() {
            *self.pages.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        }
        files.extend(beside);
        Ok(())
    }

    fn files(&self, files: Vec<OutputFile>) -> Result<(), WriteError> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(files);
        Ok(())
    }
}

/// A staging directory beside the output, swapped in by [`Disk::commit`]: pages are written as
/// they are rendered (never all held in memory); on any error the previous output stays. The
/// staging directory is made only once the site is known to build ([`Sink::prepare`]): input
/// errors are reported before anything on disk is touched.
pub struct Disk {
    staging: std::sync::OnceLock<Staging>,
    output: PathBuf,
    bytes: AtomicU64,
    precompress_html: bool,
    allow_empty: bool,
}

impl Disk {
    /// A sink for `output`. With `precompress_html`, pages get `.br` and `.gz` siblings too
    /// (assets always do). Without `allow_empty`, a site without pages may not replace an
    /// earlier build's output.
    pub fn new(output: &Path, precompress_html: bool, allow_empty: bool) -> Disk {
        Disk {
            staging: std::sync::OnceLock::new(),
            output: output.to_path_buf(),
            bytes: AtomicU64::new(0),
            precompress_html,
            allow_empty,
        }
    }

    /// Swaps the staging directory in for the output; returns the bytes written.
    pub fn commit(self) -> Result<u64, WriteError> {
        let staging = match self.staging.into_inner() {
            Some(staging) => staging,
            // Nothing was prepared (no run): the site is the empty one.
            None => Staging::create(&self.output)?,
        };
        staging.commit()?;
        Ok(self.bytes.into_inner())
    }

    fn staging(&self) -> Result<&Staging, WriteError> {
        if let Some(staging) = self.staging.get() {
            return Ok(staging);
        }
        let staging = Staging::create(&self.output)?;
        // Only `prepare` gets here, before any page: no other thread can set it meanwhile.
        Ok(self.staging.get_or_init(|| staging))
    }

    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let n = self.staging()?.write(path, bytes)?;
        self.bytes.fetch_add(n, Ordering::Relaxed);
        Ok(())
    }
}

impl Sink for Disk {
    fn split_index(&self) -> bool {
        true
    }

    fn keeps_text(&self) -> bool {
        false
    }

    fn write_stage(&self) -> bool {
        true
    }

    fn accept(&self, site: &Site) -> Result<(), Diagnostic> {
        let empty = site.codes.is_empty() && site.articles.is_empty() && site.entries.is_empty();
        if empty && !self.allow_empty && output::is_statusref_output(&self.output) {
            return Err(Diagnostic::error(
                "content",
                format!(
                    "the content has no pages; the build would replace the site in {} with an empty one",
                    self.output.display()
                ),
            )
            .help("add pages under content/ (or pass --drafts if they are all drafts), or pass --allow-empty to replace the site anyway"));
        }
        Ok(())
    }

    fn prepare(&self, routes: &Routes) -> Result<(), WriteError> {
        self.staging()?.create_dirs(routes.paths())
    }

    fn page(
        &self,
        route: &Route,
        html: Vec<u8>,
        beside: Vec<OutputFile>,
    ) -> Result<(), WriteError> {
        self.write(&route.path, &html)?;
        // The page's twin and JSON record go beside it, into the directory it is in.
        for (path, data) in &beside {
            self.write(path, data)?;
        }
        if self.precompress_html {
            for (path, data) in compress::siblings(&route.path, &html) {
                self.write(&path, &data)?;
            }
        }
        Ok(())
    }

    fn files(&self, files: Vec<OutputFile>) -> Result<(), WriteError> {
        self.staging()?
            .create_dirs(files.iter().map(|(path, _)| path.as_str()))?;
        // Each file and its siblings on whichever thread compresses them: at ten thousand pages
        // this is three thousand index chunks, written and compressed while nothing else runs.
        files.into_par_iter().try_for_each(|(path, data)| {
            self.write(&path, &data)?;
            if !compress::wanted(&path, self.precompress_html) {
                return Ok(());
            }
            compress::siblings(&path, &data)
                .iter()
                .try_for_each(|(path, data)| self.write(path, data))
        })
    }
}
