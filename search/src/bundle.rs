//! The index bundle: a whole tantivy index in one file, and a read-only [`Directory`] over it.
//!
//! ```text
//! offset  size  field
//! 0       8     magic  b"SRSEARCH"
//! 8       4     version, u32 little-endian (1)
//! 12      4     file count n, u32 LE
//! 16      ...   n entries: name length u16 LE, name (UTF-8), offset u32 LE, length u32 LE
//! ...     ...   file contents, in table order; offsets count from the start of the bundle
//! ```
//!
//! The files are tantivy's `meta.json` and the files of the one segment. The segment's random
//! id is replaced by one derived from a hash of its contents, so identical input gives an
//! identical bundle.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, OwnedBytes, RamDirectory, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::indexer::NoMergePolicy;
use tantivy::schema::Schema;
use tantivy::{doc, Directory, Index, IndexSettings, IndexWriter, TantivyDocument};

use crate::schema::{self, normalize_name, Fields};
use crate::status::{Status, GUIDE};
use crate::{Document, Error, Result};

/// First bytes of every bundle.
pub const BUNDLE_MAGIC: &[u8; 8] = b"SRSEARCH";
/// Version of the bundle layout (not of the index inside).
pub const BUNDLE_VERSION: u32 = 1;

/// Memory budget of the one indexing thread: a reference site fits in one segment.
const WRITER_MEMORY_BUDGET: usize = 64 * 1024 * 1024;
/// Longest body excerpt stored for documents without a description.
const EXCERPT_LEN: usize = 240;
const META_FILE: &str = "meta.json";
/// Uncompressed bytes per document-store block.
const DOCSTORE_BLOCK_SIZE: usize = 2048;

/// Indexes `docs` and packs the index into one bundle.
///
/// The documents are indexed in code order (guides last, then by title and URL), with one
/// thread, committed, merged into one segment and garbage-collected. The result is
/// byte-identical for identical input.
///
/// # Errors
///
/// [`Error::InvalidDocument`] for a document whose code is out of `100..=999`; an
/// [`Error::Tantivy`] if indexing fails.
pub fn build_bundle(docs: &[Document]) -> Result<Vec<u8>> {
    let schema = schema::schema();
    let fields = Fields::from_schema(&schema)?;
    let dir = RamDirectory::create();
    let settings = IndexSettings {
        docstore_compress_dedicated_thread: false,
        // Small blocks: the browser fetches the block of each result it shows (chunks.rs), and
        // a 16 KB block (the default) holds ~60 documents of which it needs one.
        docstore_blocksize: DOCSTORE_BLOCK_SIZE,
        ..IndexSettings::default()
    };
    let index = Index::create(dir.clone(), schema.clone(), settings)?;
    schema::register_analyzers(&index);

    let mut sorted: Vec<&Document> = docs.iter().collect();
    sorted.sort_by(|a, b| {
        (a.code.is_none(), a.code, &a.title, &a.url).cmp(&(
            b.code.is_none(),
            b.code,
            &b.title,
            &b.url,
        ))
    });

    let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY_BUDGET)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    for (ord, doc) in sorted.iter().enumerate() {
        writer.add_document(to_tantivy(&fields, doc, ord as u64)?)?;
    }
    writer.commit()?;

    let mut segments = index.searchable_segment_metas()?;
    if segments.len() > 1 {
        // Merge in input order so that doc ids follow `sorted`.
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let mut first_ord: Vec<(u64, tantivy::index::SegmentId)> = Vec::new();
        for seg in searcher.segment_readers() {
            let ords = seg.fast_fields().u64("ord")?;
            first_ord.push((ords.first(0).unwrap_or(u64::MAX), seg.segment_id()));
        }
        first_ord.sort();
        let ids: Vec<_> = first_ord.into_iter().map(|(_, id)| id).collect();
        writer.merge(&ids).wait()?;
        segments = index.searchable_segment_metas()?;
    }
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let meta = String::from_utf8(read(&dir, Path::new(META_FILE))?)
        .map_err(|_| invalid("meta.json is not UTF-8"))?;
    match segments.as_slice() {
        [] => files.push((META_FILE.to_string(), meta.into_bytes())),
        [segment] => {
            let old_id = segment.id().uuid_string();
            let mut seg_files: Vec<(String, Vec<u8>)> = Vec::new();
            for ext in ["idx", "pos", "term", "store", "fast", "fieldnorm", "del"] {
                let name = format!("{old_id}.{ext}");
                let path = PathBuf::from(&name);
                if !dir.exists(&path).unwrap_or(false) {
                    continue;
                }
                let bytes = read(&dir, &path)?;
                seg_files.push((name, bytes));
            }
            seg_files.sort();
            let new_id = content_id(&seg_files);
            let new_hyphenated = hyphenate(&new_id);
            let meta = meta
                .replace(&hyphenate(&old_id), &new_hyphenated)
                .replace(&old_id, &new_id);
            files.push((META_FILE.to_string(), meta.into_bytes()));
            for (name, bytes) in seg_files {
                files.push((name.replace(&old_id, &new_id), bytes));
            }
        }
        _ => return Err(invalid("the index did not merge into one segment")),
    }
    encode(&files)
}

fn invalid(reason: &str) -> Error {
    Error::InvalidBundle {
        reason: reason.to_string(),
    }
}

fn read(dir: &RamDirectory, path: &Path) -> Result<Vec<u8>> {
    let slice = dir.open_read(path).map_err(tantivy::TantivyError::from)?;
    let bytes = slice.read_bytes().map_err(|e| Error::InvalidBundle {
        reason: format!("cannot read {}: {e}", path.display()),
    })?;
    Ok(bytes.as_slice().to_vec())
}

/// 32 hex digits derived from the segment files (two independent 64-bit FNV-1a hashes).
fn content_id(files: &[(String, Vec<u8>)]) -> String {
    let mut h1: u64 = 0xcbf2_9ce4_8422_2325;
    let mut h2: u64 = 0x6c62_272e_07bb_0142;
    for (name, bytes) in files {
        // Names start with the random id: hash only their extension.
        let ext = name.rsplit('.').next().unwrap_or("");
        for &b in ext
            .as_bytes()
            .iter()
            .chain(&(bytes.len() as u64).to_le_bytes())
            .chain(bytes)
        {
            h1 = (h1 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            h2 = (h2 ^ u64::from(b))
                .wrapping_mul(0x0000_0100_0000_01b3)
                .rotate_left(5);
        }
    }
    // Make it a valid v4 UUID so tantivy parses it like its own.
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&h1.to_be_bytes());
    bytes[8..].copy_from_slice(&h2.to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hyphenate(simple: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &simple[0..8],
        &simple[8..12],
        &simple[12..16],
        &simple[16..20],
        &simple[20..32]
    )
}

fn to_tantivy(f: &Fields, d: &Document, ord: u64) -> Result<TantivyDocument> {
    let mut doc = doc!(
        f.title => d.title.as_str(),
        f.description => d.description.as_str(),
        f.body => d.body.as_str(),
        f.class => d.class.name(),
        f.status => d.status.map_or(GUIDE, Status::as_str),
        f.url => d.url.as_str(),
        f.ord => ord,
    );
    if let Some(code) = d.code {
        if !(100..=999).contains(&code) {
            return Err(Error::InvalidDocument {
                title: d.title.clone(),
                url: d.url.clone(),
                reason: format!("code {code} is not a three-digit number"),
            });
        }
        doc.add_u64(f.code, u64::from(code));
        doc.add_text(f.code_text, code.to_string());
    }
    if let Some(key) = &d.key {
        doc.add_text(f.key, key.to_lowercase());
    }
    if let Some(status) = d.http_status {
        doc.add_u64(f.http_status, u64::from(status));
    }
    if let Some(family) = &d.family {
        doc.add_text(f.family, family);
    }
    for alias in &d.aliases {
        doc.add_text(f.aliases, alias);
    }
    for keyword in &d.keywords {
        doc.add_text(f.keywords, keyword);
    }
    if let Some(vendor) = &d.vendor {
        doc.add_text(f.vendor, vendor);
    }
    for flag in d.status.map_or(&[GUIDE][..], Status::flags) {
        doc.add_text(f.flags, *flag);
    }
    if d.key.is_some() {
        // A family entry (`is:entry`): ranked after HTTP codes on near ties.
        doc.add_text(f.flags, "entry");
    }
    let mut names: Vec<String> = Vec::new();
    names.push(normalize_name(&d.title));
    names.push(normalize_name(strip_code(&d.title, d.code)));
    if let Some(key) = &d.key {
        names.push(normalize_name(strip_key(&d.title, key)));
    }
    names.extend(d.aliases.iter().map(|a| normalize_name(a)));
    names.sort();
    names.dedup();
    for name in names.into_iter().filter(|n| !n.is_empty()) {
        doc.add_text(f.name_exact, name);
    }
    if d.description.trim().is_empty() && !d.body.trim().is_empty() {
        doc.add_text(f.excerpt, excerpt(&d.body));
    }
    add_phrases_and_pairs(f, d, &mut doc);
    Ok(doc)
}

/// The `phrases` (names, aliases and keywords whole) and `pairs` (consecutive words of the
/// names, aliases, keywords and description; the body's pairs would quadruple the bundle)
/// of a document.
fn add_phrases_and_pairs(f: &Fields, d: &Document, doc: &mut TantivyDocument) {
    let title = strip_code(&d.title, d.code);
    let mut phrases: Vec<String> = std::iter::once(title)
        .chain(d.aliases.iter().map(String::as_str))
        .chain(d.keywords.iter().map(String::as_str))
        .filter_map(schema::phrase_key)
        .collect();
    phrases.sort();
    phrases.dedup();
    for phrase in phrases {
        doc.add_text(f.phrases, phrase);
    }
    for text in std::iter::once(title)
        .chain(d.aliases.iter().map(String::as_str))
        .chain(d.keywords.iter().map(String::as_str))
        .chain([d.description.as_str()])
    {
        doc.add_text(f.pairs, text);
    }
}

/// `"504 Gateway Timeout"` → `"Gateway Timeout"`.
pub(crate) fn strip_code(title: &str, code: Option<u16>) -> &str {
    match code {
        Some(code) => {
            let code = code.to_string();
            match title.trim_start().strip_prefix(code.as_str()) {
                Some(rest) if !rest.starts_with(|c: char| c.is_alphanumeric()) => {
                    rest.trim_start_matches(|c: char| !c.is_alphanumeric())
                }
                _ => title,
            }
        }
        None => title,
    }
}

/// `"500.19 Configuration Error"` → `"Configuration Error"` for the key `500.19`.
fn strip_key<'a>(title: &'a str, key: &str) -> &'a str {
    match title.trim_start().strip_prefix(key) {
        Some(rest) if !rest.starts_with(|c: char| c.is_alphanumeric() || c == '.') => {
            rest.trim_start_matches(|c: char| !c.is_alphanumeric())
        }
        _ => title,
    }
}

/// The beginning of `body`, cut at a word boundary, with an ellipsis when cut.
fn excerpt(body: &str) -> String {
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.len() <= EXCERPT_LEN {
        return body;
    }
    let mut end = EXCERPT_LEN;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let cut = body[..end].rfind(' ').unwrap_or(end);
    format!("{}…", &body[..cut])
}

fn encode(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    encode_version(files, BUNDLE_VERSION)
}

/// Packs `files` in the bundle layout, with `version` in the header (a split head is the same
/// layout with another version: see `chunks.rs`).
pub(crate) fn encode_version(files: &[(String, Vec<u8>)], version: u32) -> Result<Vec<u8>> {
    let table_len: usize = files.iter().map(|(n, _)| 2 + n.len() + 8).sum();
    let data_len: usize = files.iter().map(|(_, b)| b.len()).sum();
    let header_len = 16 + table_len;
    if header_len + data_len > u32::MAX as usize {
        return Err(invalid("the index is larger than 4 GiB"));
    }
    let mut out = Vec::with_capacity(header_len + data_len);
    out.extend_from_slice(BUNDLE_MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(files.len() as u32).to_le_bytes());
    let mut offset = header_len;
    for (name, bytes) in files {
        let name_len = u16::try_from(name.len()).map_err(|_| invalid("file name too long"))?;
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(offset as u32).to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        offset += bytes.len();
    }
    for (_, bytes) in files {
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

/// Splits a bundle into its files, as zero-copy slices of `bytes`.
pub(crate) fn decode(bytes: OwnedBytes) -> Result<BTreeMap<PathBuf, OwnedBytes>> {
    decode_version(bytes, BUNDLE_VERSION)
}

/// [`decode`] for a bundle whose header says `expected` (a split head: see `chunks.rs`).
pub(crate) fn decode_version(
    bytes: OwnedBytes,
    expected: u32,
) -> Result<BTreeMap<PathBuf, OwnedBytes>> {
    let data = bytes.as_slice();
    if data.len() < 16 || &data[..8] != BUNDLE_MAGIC {
        return Err(invalid("it does not start with the statusref bundle magic"));
    }
    let u32_at = |pos: usize| -> Result<u32> {
        data.get(pos..pos + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| invalid("truncated file table"))
    };
    let version = u32_at(8)?;
    if version != expected {
        let reason = if version == crate::chunks::SPLIT_VERSION {
            "this is the head of an index split into chunks (a built site's assets/index.*.bin): \
             open it with its chunks (`statusref_search::open_split_with`)"
                .to_string()
        } else {
            format!("bundle version {version}, this statusref reads version {expected}; rebuild the site")
        };
        return Err(Error::InvalidBundle { reason });
    }
    let count = u32_at(12)? as usize;
    let mut pos = 16;
    let mut files = BTreeMap::new();
    for _ in 0..count {
        let name_len = data
            .get(pos..pos + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
            .ok_or_else(|| invalid("truncated file table"))?;
        pos += 2;
        let name = data
            .get(pos..pos + name_len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| invalid("bad file name in the table"))?
            .to_string();
        pos += name_len;
        let offset = u32_at(pos)? as usize;
        let len = u32_at(pos + 4)? as usize;
        pos += 8;
        let end = offset
            .checked_add(len)
            .filter(|&end| end <= data.len())
            .ok_or_else(|| Error::InvalidBundle {
                reason: format!("file {name} lies outside the bundle (truncated download?)"),
            })?;
        files.insert(PathBuf::from(name), bytes.slice(offset..end));
    }
    if !files.contains_key(Path::new(META_FILE)) {
        return Err(invalid("it has no meta.json"));
    }
    Ok(files)
}

/// A read-only tantivy [`Directory`] over the files of one bundle (or of a split head, whose
/// chunked files arrive later: see `chunks.rs`).
#[derive(Clone, Debug)]
pub(crate) struct BundleDirectory {
    files: Arc<BTreeMap<PathBuf, Arc<dyn FileHandle>>>,
}

impl BundleDirectory {
    pub(crate) fn new(files: BTreeMap<PathBuf, OwnedBytes>) -> Self {
        Self::from_handles(
            files
                .into_iter()
                .map(|(p, b)| (p, Arc::new(b) as Arc<dyn FileHandle>))
                .collect(),
        )
    }

    pub(crate) fn from_handles(files: BTreeMap<PathBuf, Arc<dyn FileHandle>>) -> Self {
        BundleDirectory {
            files: Arc::new(files),
        }
    }
}

fn read_only(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("the search bundle is read-only ({})", path.display()),
    )
}

impl Directory for BundleDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_path_buf()))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        Ok(self.files.contains_key(path))
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        let file = self
            .files
            .get(path)
            .ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_path_buf()))?;
        file.read_bytes(0..file.len())
            .map(|b| b.as_slice().to_vec())
            .map_err(|io_error| OpenReadError::IoError {
                io_error: Arc::new(io_error),
                filepath: path.to_path_buf(),
            })
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(read_only(path))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

/// Opens the index inside a bundle.
pub(crate) fn open_index(bytes: OwnedBytes) -> Result<(Index, Schema)> {
    let files = decode(bytes)?;
    let index = Index::open(BundleDirectory::new(files))?;
    schema::register_analyzers(&index);
    let schema = index.schema();
    Ok((index, schema))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(code: u16, title: &str) -> Document {
        Document {
            code: Some(code),
            title: title.into(),
            aliases: vec![],
            keywords: vec![],
            description: format!("About {title}."),
            body: "Some body text.".into(),
            class: crate::Class::of_code(code).unwrap_or_default(),
            status: Some(crate::Status::Official),
            vendor: None,
            url: format!("/http-codes/{code}/"),
            ..Document::default()
        }
    }

    #[test]
    fn bundle_is_deterministic() {
        let docs = vec![
            doc(404, "404 Not Found"),
            doc(200, "200 OK"),
            doc(504, "504 Gateway Timeout"),
        ];
        let a = build_bundle(&docs).unwrap();
        let b = build_bundle(&docs).unwrap();
        assert_eq!(a, b);
        // Input order does not matter either.
        let mut reversed = docs.clone();
        reversed.reverse();
        assert_eq!(a, build_bundle(&reversed).unwrap());
    }

    #[test]
    fn bundle_round_trips() {
        let bundle = build_bundle(&[doc(404, "404 Not Found")]).unwrap();
        let files = decode(OwnedBytes::new(bundle)).unwrap();
        assert!(files.contains_key(Path::new("meta.json")));
        assert!(files.len() > 3, "{:?}", files.keys().collect::<Vec<_>>());
    }

    #[test]
    fn rejects_garbage() {
        let err = decode(OwnedBytes::new(b"not a bundle at all".to_vec())).unwrap_err();
        assert!(err.to_string().contains("magic"), "{err}");
        let mut bundle = build_bundle(&[doc(404, "404 Not Found")]).unwrap();
        bundle.truncate(bundle.len() - 10);
        let err = decode(OwnedBytes::new(bundle)).unwrap_err();
        assert!(err.to_string().contains("outside the bundle"), "{err}");
    }

    #[test]
    fn empty_input_gives_a_searchable_bundle() {
        let bundle = build_bundle(&[]).unwrap();
        let index = crate::SearchIndex::open(bundle).unwrap();
        assert!(index.search("anything", 10).unwrap().is_empty());
    }

    #[test]
    fn strips_code_from_title() {
        assert_eq!(
            strip_code("504 Gateway Timeout", Some(504)),
            "Gateway Timeout"
        );
        assert_eq!(strip_code("5040 Things", Some(504)), "5040 Things");
        assert_eq!(strip_code("Guide", None), "Guide");
        assert_eq!(strip_code("418 — I'm a teapot", Some(418)), "I'm a teapot");
    }

    #[test]
    fn excerpts_cut_on_words() {
        let body = "word ".repeat(100);
        let e = excerpt(&body);
        assert!(e.len() <= EXCERPT_LEN + 3 && e.ends_with("word…"), "{e}");
    }
}
