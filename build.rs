//! Builds the search crate for the browser and hands the `.wasm` to the binary.
//!
//! A nested `cargo build --locked --manifest-path search/wasm/Cargo.toml --target
//! wasm32-unknown-unknown --profile wasm-release` runs in its own target directory
//! (`<target dir>/search-wasm`: sharing the outer one would deadlock on its lock), with the
//! environment of this build script removed (an inherited empty `CARGO_ENCODED_RUSTFLAGS` would
//! silently override `.cargo/config.toml`'s getrandom setting, and cargo's build-script
//! variables describe the host, not wasm). `search/wasm` is its own workspace with its own `Cargo.lock` (its `[patch]`
//! swaps `regex` for `regex-lite`); this script checks that both lock files pin the same
//! tantivy, since the index is written natively and read in the browser, and applies
//! `search/wasm/tantivy-wasm.patch` to that tantivy for the browser build (see
//! `patch_tantivy`). When binaryen's
//! `wasm-opt` is on `PATH`, the result goes through `wasm-opt -O1 --converge` (cached by
//! content; on this module it gives smaller brotli output than `-Oz`). The path of the final
//! file is given to the crate as `STATUSREF_SEARCH_WASM`, for
//! `include_bytes!(env!("STATUSREF_SEARCH_WASM"))`.
//!
//! When the toolchain has `rust-src`, the nested build compiles std with the module, for size,
//! with the `immediate-abort` panic strategy and without `Debug` formatting or source
//! locations (see `build_wasm_for_size` and `BUILD_STD_ARGS`).
//!
//! Environment:
//! - `STATUSREF_SEARCH_WASM_PREBUILT=/path/to/search.wasm`: use that file, build nothing.
//! - `STATUSREF_WASM_OPT=0`: skip `wasm-opt` even when it is installed.
//! - `STATUSREF_WASM_BUILD_STD=0`: link wasm32's prebuilt std instead (a larger module).
//!
//! It also writes the brotli and gzip forms of the wasm and the theme's assets (see
//! `precompress`).

use std::env;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const WASM_MANIFEST: &str = "search/wasm/Cargo.toml";
const WASM_FILE: &str = "statusref_search_wasm.wasm";
const WASM_PROFILE: &str = "wasm-release";
/// The wasm features rustc's output uses, which binaryen 108 (Debian 12) must be told about.
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

fn main() {
    if let Err(message) = run() {
        eprintln!("\nerror: {message}\n");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR unset")?);
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR unset")?);
    // What the module is built from; not `search/wasm/tantivy-patched`, which this script
    // writes (watching it would run the script again on the next build).
    for path in [
        "build.rs",
        "search/Cargo.toml",
        "search/src",
        "search/wasm/Cargo.toml",
        "search/wasm/Cargo.lock",
        "search/wasm/src",
        "search/wasm/regex-lite-shim",
        TANTIVY_PATCH,
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        "rust-toolchain.toml",
        "templates",
        "assets",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }
    println!("cargo:rerun-if-env-changed=STATUSREF_SEARCH_WASM_PREBUILT");
    println!("cargo:rerun-if-env-changed=STATUSREF_WASM_OPT");
    println!("cargo:rerun-if-env-changed=STATUSREF_WASM_BUILD_STD");

    let tantivy = same_tantivy(&root)?;
    let wasm = match env::var_os("STATUSREF_SEARCH_WASM_PREBUILT").filter(|v| !v.is_empty()) {
        Some(prebuilt) => prebuilt_wasm(Path::new(&prebuilt))?,
        None => {
            patch_tantivy(&root, &tantivy)?;
            let target_dir = target_dir(&out_dir, &root).join("search-wasm");
            let built = build_wasm_for_size(&root, &target_dir)?;
            optimize(&built, &target_dir)?
        }
    };
    let dest = out_dir.join("statusref_search.wasm");
    fs::copy(&wasm, &dest)
        .map_err(|e| format!("cannot copy {} to {}: {e}", wasm.display(), dest.display()))?;
    println!("cargo:rustc-env=STATUSREF_SEARCH_WASM={}", dest.display());
    precompress(
        &root,
        &dest,
        &target_dir(&out_dir, &root).join("search-wasm"),
        &out_dir,
    )?;
    Ok(())
}

/// The `.br` (quality 11) and `.gz` (level 9, mtime 0) forms of the files every site ships
/// as they are: the wasm and the built-in theme's `assets/` (scripts, styles, icons), for
/// `build`'s precompressed siblings (src/compress.rs). Brotli 11 takes seconds on the 575 KB
/// wasm and ~65 ms on the theme's 50 KB: done once here, cached by content in the wasm's
/// target directory, rather than in every build. Written to `OUT_DIR/precompressed.rs`, a
/// table of `(bytes, brotli, gzip)` the crate includes as `PRECOMPRESSED`.
fn precompress(root: &Path, wasm: &Path, cache_dir: &Path, out_dir: &Path) -> Result<(), String> {
    fs::create_dir_all(cache_dir).map_err(|e| format!("{}: {e}", cache_dir.display()))?;
    // The wasm is `crate::SEARCH_WASM` already: named, not included a second time.
    let mut files = vec![("crate::SEARCH_WASM".to_string(), wasm.to_path_buf())];
    let mut theme = Vec::new();
    theme_assets(&root.join("assets"), &mut theme)?;
    theme.sort();
    files.extend(theme.into_iter().map(|path| {
        (
            format!("include_bytes!({:?})", path.display().to_string()),
            path,
        )
    }));
    let mut table = String::from(
        "// Generated by build.rs (precompress): (bytes, brotli 11, gzip 9) of the files every site ships.\n&[\n",
    );
    for (bytes_expr, path) in files {
        let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let key = fnv(&bytes);
        let br = compressed(&bytes, &cache_dir.join(format!("{key:016x}.br")), true)?;
        let gz = compressed(&bytes, &cache_dir.join(format!("{key:016x}.gz")), false)?;
        // A file that neither form makes smaller (an image) gets no sibling (src/compress.rs):
        // nothing to keep for it.
        let size = |path: &Path| fs::metadata(path).map(|m| m.len()).unwrap_or(u64::MAX);
        if size(&br) >= bytes.len() as u64 && size(&gz) >= bytes.len() as u64 {
            continue;
        }
        table.push_str(&format!(
            "    ({bytes_expr}, include_bytes!({:?}), include_bytes!({:?})),\n",
            br.display().to_string(),
            gz.display().to_string()
        ));
    }
    table.push_str("]\n");
    let dest = out_dir.join("precompressed.rs");
    fs::write(&dest, table).map_err(|e| format!("{}: {e}", dest.display()))
}

/// The files under the theme's `assets/`, as rust-embed takes them (hidden files too: the
/// table only lists bytes; a build looks each asset up by its content).
fn theme_assets(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            theme_assets(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// `bytes` at brotli 11 (`brotli`) or gzip 9, from `cached` when an earlier build wrote it.
fn compressed(bytes: &[u8], cached: &Path, brotli: bool) -> Result<PathBuf, String> {
    use std::io::Write;
    if cached.is_file() {
        return Ok(cached.to_path_buf());
    }
    let mut out = Vec::new();
    if brotli {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(bytes).map_err(|e| e.to_string())?;
        writer.flush().map_err(|e| e.to_string())?;
        drop(writer);
    } else {
        let mut encoder = flate2::GzBuilder::new()
            .mtime(0)
            .write(&mut out, flate2::Compression::best());
        encoder.write_all(bytes).map_err(|e| e.to_string())?;
        encoder.finish().map_err(|e| e.to_string())?;
    }
    let partial = cached.with_extension("partial");
    fs::write(&partial, &out).map_err(|e| format!("{}: {e}", partial.display()))?;
    fs::rename(&partial, cached).map_err(|e| format!("{}: {e}", cached.display()))?;
    Ok(cached.to_path_buf())
}

fn prebuilt_wasm(path: &Path) -> Result<PathBuf, String> {
    let path = path.canonicalize().map_err(|e| {
        format!(
            "STATUSREF_SEARCH_WASM_PREBUILT={}: {e}; unset it to build the search wasm",
            path.display()
        )
    })?;
    println!("cargo:rerun-if-changed={}", path.display());
    let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !bytes.starts_with(b"\0asm") {
        return Err(format!(
            "STATUSREF_SEARCH_WASM_PREBUILT={} is not a WebAssembly module",
            path.display()
        ));
    }
    Ok(path)
}

/// The outer target directory: the ancestor of `OUT_DIR` that cargo marked with
/// `CACHEDIR.TAG`, else `<workspace>/target`.
fn target_dir(out_dir: &Path, root: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("target"))
}

fn rustup_hint() -> String {
    format!(
        "the {WASM_TARGET} target is not installed for this toolchain; install it with:\n\n    \
         rustup target add {WASM_TARGET}\n\n(rust-toolchain.toml lists it, so a fresh rustup \
         install adds it by itself), or point STATUSREF_SEARCH_WASM_PREBUILT at a built \
         search .wasm"
    )
}

/// The sysroot of the toolchain building this crate (`rustc --print sysroot`).
fn sysroot() -> Option<PathBuf> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = String::from_utf8(output.stdout).ok()?;
    Some(PathBuf::from(sysroot.trim()))
}

fn target_installed() -> Option<bool> {
    let lib = sysroot()?.join("lib/rustlib").join(WASM_TARGET).join("lib");
    Some(lib.is_dir())
}

/// Variables that must not leak from this build script into the nested cargo.
fn leaks(key: &OsStr) -> bool {
    let Some(key) = key.to_str() else {
        return false;
    };
    const EXACT: &[&str] = &[
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_ENCODED_RUSTDOCFLAGS",
        "RUSTDOCFLAGS",
        "OUT_DIR",
        "TARGET",
        "HOST",
        "NUM_JOBS",
        "OPT_LEVEL",
        "PROFILE",
        "DEBUG",
        "RUSTC_LINKER",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_CRATE_NAME",
    ];
    const PREFIXES: &[&str] = &[
        "CARGO_CFG_",
        "CARGO_FEATURE_",
        "CARGO_PKG_",
        "CARGO_MANIFEST_",
        "DEP_",
    ];
    EXACT.contains(&key) || PREFIXES.iter().any(|p| key.starts_with(p))
}

/// The flags of the size build (see [`build_wasm_for_size`]): std compiled with the module,
/// for size, with the `immediate-abort` panic strategy, `Debug` formatting compiled to
/// nothing (`-Zfmt-debug=none`: the module's answers are JSON written by hand, and `{:?}`
/// only ever reaches an error message, which loses the quoted value) and no source locations
/// (`-Zlocation-detail=none`: nothing prints a panic). The last two took the brotli size
/// from 274.5 KB to 250.9 KB, with every answer to `tests/queries.tsv` byte-identical.
const BUILD_STD_ARGS: &[&str] = &[
    "-Zbuild-std=std,panic_abort",
    "-Zbuild-std-features=optimize_for_size",
    "--config",
    "target.wasm32-unknown-unknown.rustflags=[\"-Zunstable-options\", \"-Cpanic=immediate-abort\", \"-Zfmt-debug=none\", \"-Zlocation-detail=none\"]",
];

/// The toolchain's `rust-src` (the standard library's source), which `-Zbuild-std` compiles.
fn rust_src() -> Option<PathBuf> {
    let library = sysroot()?.join("lib/rustlib/src/rust/library");
    library.join("std/Cargo.toml").is_file().then_some(library)
}

/// Builds the search wasm with the standard library compiled along with it, for size, when
/// the toolchain allows it; else as a plain build.
///
/// The prebuilt std of wasm32 is optimised for speed and panics through the formatting
/// machinery. Compiled here with std's `optimize_for_size` and the `immediate-abort` panic
/// strategy (a panic traps at once: no message formatting, which the browser never shows
/// anyway), the module is about 11% smaller after brotli. Those are unstable flags: they are
/// enabled on this stable toolchain by `RUSTC_BOOTSTRAP=1`, as the fuzz build does, and need
/// its `rust-src` (rust-toolchain.toml lists it). Without `rust-src`, with
/// `STATUSREF_WASM_BUILD_STD=0`, or if a future toolchain rejects the flags, the plain build
/// runs instead and says so in a warning.
fn build_wasm_for_size(root: &Path, target_dir: &Path) -> Result<PathBuf, String> {
    if env::var_os("STATUSREF_WASM_BUILD_STD").is_some_and(|v| v == "0") {
        return build_wasm(root, target_dir, false);
    }
    if rust_src().is_none() {
        println!(
            "cargo:warning=the search wasm is built without its own std (about 11% larger): \
             install the toolchain's source with `rustup component add rust-src`"
        );
        return build_wasm(root, target_dir, false);
    }
    match build_wasm(root, &target_dir.join("build-std"), true) {
        Ok(wasm) => Ok(wasm),
        Err(message) => {
            println!(
                "cargo:warning=building the search wasm with its own std failed; built without \
                 it (about 11% larger): {}",
                message.lines().next().unwrap_or_default()
            );
            build_wasm(root, target_dir, false)
        }
    }
}

fn build_wasm(root: &Path, target_dir: &Path, build_std: bool) -> Result<PathBuf, String> {
    if target_installed() == Some(false) {
        return Err(rustup_hint());
    }
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(&cargo);
    command
        .current_dir(root)
        .args([
            "build",
            "--locked",
            "--manifest-path",
            WASM_MANIFEST,
            "--target",
            WASM_TARGET,
        ])
        .args(["--profile", WASM_PROFILE])
        .args(if build_std { BUILD_STD_ARGS } else { &[] })
        .arg("--target-dir")
        .arg(target_dir)
        // Keep our stdout for cargo: directives only.
        .stdout(Stdio::from(std::io::stderr()));
    for (key, _) in env::vars_os() {
        if leaks(&key) {
            command.env_remove(&key);
        }
    }
    if build_std {
        command.env("RUSTC_BOOTSTRAP", "1");
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run {}: {e}", Path::new(&cargo).display()))?;
    if !status.success() {
        let mut message = format!(
            "building the search wasm failed ({status}): `{}cargo build --locked --manifest-path \
             {WASM_MANIFEST} --target {WASM_TARGET} --profile {WASM_PROFILE}{} --target-dir {}`; its errors are above",
            if build_std { "RUSTC_BOOTSTRAP=1 " } else { "" },
            if build_std { " -Zbuild-std=… (see BUILD_STD_ARGS in build.rs)" } else { "" },
            target_dir.display()
        );
        if target_installed() != Some(true) {
            message.push_str("\n\n");
            message.push_str(&rustup_hint());
        }
        return Err(message);
    }
    let wasm = target_dir
        .join(WASM_TARGET)
        .join(WASM_PROFILE)
        .join(WASM_FILE);
    if !wasm.is_file() {
        return Err(format!(
            "the nested build succeeded but {} is missing",
            wasm.display()
        ));
    }
    Ok(wasm)
}

/// The tantivy version a `Cargo.lock` pins.
fn locked_tantivy(lock: &Path) -> Result<String, String> {
    let text = fs::read_to_string(lock).map_err(|e| format!("{}: {e}", lock.display()))?;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"tantivy\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = ")) {
                return Ok(version.trim_matches('"').to_string());
            }
        }
    }
    Err(format!("{} pins no tantivy", lock.display()))
}

/// The browser reads what the native build writes: both workspaces must lock one tantivy.
/// Returns its version.
fn same_tantivy(root: &Path) -> Result<String, String> {
    let native = locked_tantivy(&root.join("Cargo.lock"))?;
    let wasm = locked_tantivy(&root.join("search/wasm/Cargo.lock"))?;
    if native != wasm {
        return Err(format!(
            "Cargo.lock pins tantivy {native} but search/wasm/Cargo.lock pins {wasm}; the wasm \
             reader must match the native writer: run `cargo update -p tantivy --precise \
             {native} --manifest-path search/wasm/Cargo.toml`"
        ));
    }
    Ok(native)
}

/// The patch for the browser's tantivy, relative to the root.
const TANTIVY_PATCH: &str = "search/wasm/tantivy-wasm.patch";
/// Where the patched tantivy goes (the wasm workspace's `[patch.crates-io]` names it; ignored
/// by git), relative to the root.
const PATCHED_TANTIVY: &str = "search/wasm/tantivy-patched";
/// The file in [`PATCHED_TANTIVY`] saying what it was made from.
const PATCH_STAMP: &str = ".statusref-patched";

/// Writes [`PATCHED_TANTIVY`]: tantivy `version` (the release both lock files pin), from cargo's copy of
/// its source, with [`TANTIVY_PATCH`] applied. The patch changes the wasm32 build only (every
/// change is under `#[cfg(target_arch = "wasm32")]`): the module opens the index with the
/// schema and segments it is given instead of deserializing `meta.json`, reads the files'
/// footers without serde_json, and leaves out the threads and JSON paths a read-only browser
/// index never takes (search/wasm/Cargo.toml has the figures). Redone only when the patch,
/// the version or the source changes.
fn patch_tantivy(root: &Path, version: &str) -> Result<(), String> {
    let patch_path = root.join(TANTIVY_PATCH);
    let patch =
        fs::read_to_string(&patch_path).map_err(|e| format!("{}: {e}", patch_path.display()))?;
    let source = tantivy_source(root, version)?;
    let dest = root.join(PATCHED_TANTIVY);
    let stamp = format!(
        "tantivy {version} from {}, patch {:016x}\n",
        source.display(),
        fnv(patch.as_bytes())
    );
    if fs::read_to_string(dest.join(PATCH_STAMP)).is_ok_and(|s| s == stamp) {
        return Ok(());
    }
    let partial = dest.with_extension("partial");
    let _ = fs::remove_dir_all(&partial);
    copy_dir(&source, &partial)?;
    for file in diffy::patch_set::PatchSet::parse(&patch, diffy::patch_set::ParseOptions::gitdiff())
    {
        let file = file.map_err(|e| format!("{TANTIVY_PATCH}: {e}"))?;
        let (diffy::patch_set::FileOperation::Modify { modified, .. }, Some(hunks)) =
            (file.operation().strip_prefix(1), file.patch().as_text())
        else {
            return Err(format!(
                "{TANTIVY_PATCH}: only modifications of text files are supported"
            ));
        };
        let path = partial.join(modified.as_ref());
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let patched = diffy::apply(&text, hunks).map_err(|e| {
            format!(
                "{TANTIVY_PATCH} does not apply to tantivy {version}'s {modified} ({e}): \
                 update the patch for this release"
            )
        })?;
        fs::write(&path, patched).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    fs::write(partial.join(PATCH_STAMP), &stamp).map_err(|e| e.to_string())?;
    let _ = fs::remove_dir_all(&dest);
    fs::rename(&partial, &dest).map_err(|e| format!("{}: {e}", dest.display()))
}

/// The directory of tantivy `version`'s source as cargo downloaded it: in cargo's registry
/// cache (`$CARGO_HOME/registry/src/<index>/tantivy-<version>`), else wherever
/// `cargo metadata` says (vendored sources, another registry).
fn tantivy_source(root: &Path, version: &str) -> Result<PathBuf, String> {
    let cargo_home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    if let Some(registries) = cargo_home.map(|home| home.join("registry/src")) {
        let mut found: Vec<PathBuf> = fs::read_dir(&registries)
            .into_iter()
            .flatten()
            .flatten()
            .map(|index| index.path().join(format!("tantivy-{version}")))
            .filter(|dir| dir.join("Cargo.toml").is_file())
            .collect();
        found.sort();
        if let Some(dir) = found.pop() {
            return Ok(dir);
        }
    }
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let host = env::var("HOST").map_err(|e| format!("HOST: {e}"))?;
    let output = Command::new(&cargo)
        .current_dir(root)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--filter-platform",
        ])
        .arg(host)
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed ({})", output.status));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata's output: {e}"))?;
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "tantivy" && p["version"] == version)
        .and_then(|p| p["manifest_path"].as_str())
        .and_then(|m| Path::new(m).parent().map(Path::to_path_buf))
        .ok_or_else(|| format!("cargo metadata lists no tantivy {version}"))
}

/// Copies the directory `from` to `to` (which must not exist), recursively.
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let (source, dest) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_dir(&source, &dest)?;
        } else {
            fs::copy(&source, &dest).map_err(|e| format!("{}: {e}", source.display()))?;
        }
    }
    Ok(())
}

/// 64-bit FNV-1a, to name the cached `wasm-opt` output after its input.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn optimize(wasm: &Path, target_dir: &Path) -> Result<PathBuf, String> {
    if env::var_os("STATUSREF_WASM_OPT").is_some_and(|v| v == "0") {
        return Ok(wasm.to_path_buf());
    }
    let probe = Command::new("wasm-opt")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        return Ok(wasm.to_path_buf());
    }
    let bytes = fs::read(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let cached = target_dir.join(format!("search.{:016x}.opt.wasm", fnv(&bytes)));
    if cached.is_file() {
        return Ok(cached);
    }
    let partial = cached.with_extension("partial");
    let status = Command::new("wasm-opt")
        .args(["-O1", "--converge"])
        .args(WASM_OPT_FEATURES)
        .arg(wasm)
        .arg("-o")
        .arg(&partial)
        .stdout(Stdio::from(std::io::stderr()))
        .status();
    match status {
        Ok(s) if s.success() => {
            fs::rename(&partial, &cached).map_err(|e| format!("{}: {e}", cached.display()))?;
            // Keep only the current optimised file.
            if let Ok(entries) = fs::read_dir(target_dir) {
                for entry in entries.flatten() {
                    let name = entry.file_name();
                    let name = name.to_string_lossy();
                    if name.starts_with("search.")
                        && name.ends_with(".opt.wasm")
                        && entry.path() != cached
                    {
                        let _ = fs::remove_file(entry.path());
                    }
                }
            }
            Ok(cached)
        }
        other => {
            println!(
                "cargo:warning=wasm-opt failed ({other:?}); using the unoptimised search wasm"
            );
            Ok(wasm.to_path_buf())
        }
    }
}
