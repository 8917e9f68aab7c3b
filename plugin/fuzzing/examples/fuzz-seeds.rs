//! Writes the seed corpus of every fuzz target: `fuzz-seeds REPO OUT [SHARED]` fills
//! `OUT/<target>/` with the inputs `techfile_fuzzing::seeds` takes from the repository
//! and from the CycloneDX test vectors in SHARED. Used by `scripts/fuzz.sh`.

use std::path::PathBuf;
use std::process::ExitCode;
use techfile_fuzzing::{TARGETS, seeds};

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let (root, out, shared) = match args.as_slice() {
        [root, out] => (root, out, None),
        [root, out, shared] => (root, out, Some(shared.as_path())),
        _ => {
            eprintln!("usage: fuzz-seeds REPO OUT [SHARED]");
            return ExitCode::from(2);
        }
    };
    for t in TARGETS {
        let dir = out.join(t.name);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("fuzz-seeds: {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
        let found = seeds::collect(t.seeds, root, shared);
        for (i, (_, bytes)) in found.iter().enumerate() {
            if let Err(e) = std::fs::write(dir.join(format!("seed-{i:04}")), bytes) {
                eprintln!("fuzz-seeds: {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
        }
        eprintln!("fuzz-seeds: {}: {} seeds", t.name, found.len());
    }
    ExitCode::SUCCESS
}
