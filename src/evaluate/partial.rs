//! A run split into pieces: `kjproj run --chunks … --partial FILE` simulates only some
//! chunks of the Monte Carlo draws of the base and every variant and writes their running
//! totals to a *partial result*; `kjproj merge` reads the partials of all the chunks and
//! evaluates the scenario with the merged simulations, giving exactly the outputs of one
//! run with the same settings (the simulation's totals merge exactly: see
//! [`monte_carlo::merge`]). Everything else (projection, tornado, Sobol, checks) is
//! computed once, by the merge.
//!
//! A partial result is a file of its own format: the line `kjproj partial result`, the
//! format's version as a 32-bit little-endian number, an FNV-1a checksum of the rest (64
//! bits, little-endian), then a [`Piece`] in `postcard`'s encoding. It records the scenario file, a fingerprint of what the scenario was read
//! from, and the command line's settings, so that pieces of different runs or of a
//! changed scenario are refused instead of merged.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use super::{Analyses, BASE, Overrides, Settings};
use crate::error::Error;
use crate::scenario::Scenario;
use crate::scenario::expr::Quantity;
use crate::sensitivity::monte_carlo::{self, MonteCarlo};

/// The first bytes of every partial result.
const MAGIC: &[u8] = b"kjproj partial result\n";

/// The version of the format this kjproj writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The largest partial result read (a 1,000-year horizon with many series takes tens of
/// megabytes at most).
pub const MAX_PIECE_BYTES: u64 = 256 * 1024 * 1024;

/// The most partial results one merge reads.
pub const MAX_PIECES: usize = 10_000;

/// The most bytes of partial results one merge holds in memory together.
pub const MAX_TOTAL_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Which chunks of each simulation a piece computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Part {
    /// Chunks `start..end` (clipped to the simulation's chunks).
    Chunks(u64, u64),
    /// The `k`-th (from 1) of `n` nearly equal shares of each simulation's chunks.
    Share(u64, u64),
}

impl Part {
    /// Parses `A..B` (chunks A to B, B not included) or `K/N` (share K of N).
    pub fn parse(text: &str) -> Result<Part, String> {
        let number = |s: &str| {
            s.trim().parse::<u64>().map_err(|_| {
                format!("`{text}`: write chunks as A..B (e.g. 0..8) or a share as K/N (e.g. 1/4)")
            })
        };
        if let Some((a, b)) = text.split_once("..") {
            let (a, b) = (number(a)?, number(b)?);
            if a >= b {
                return Err(format!("`{text}`: the range A..B needs A < B"));
            }
            Ok(Part::Chunks(a, b))
        } else if let Some((k, n)) = text.split_once('/') {
            let (k, n) = (number(k)?, number(n)?);
            if k == 0 || k > n {
                return Err(format!("`{text}`: a share K/N needs 1 ≤ K ≤ N"));
            }
            Ok(Part::Share(k, n))
        } else {
            number(text).map(|_| ()).and(Err(format!(
                "`{text}`: write chunks as A..B (e.g. 0..8) or a share as K/N (e.g. 1/4)"
            )))
        }
    }

    /// The chunks of a simulation of `chunks` chunks this part takes.
    pub fn of(self, chunks: u64) -> Range<u64> {
        match self {
            Part::Chunks(a, b) => a.min(chunks)..b.min(chunks),
            Part::Share(k, n) => {
                let at = |i: u64| (u128::from(chunks) * u128::from(i) / u128::from(n)) as u64;
                at(k - 1)..at(k)
            }
        }
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Part::Chunks(a, b) => write!(f, "chunks {a}..{b}"),
            Part::Share(k, n) => write!(f, "share {k}/{n}"),
        }
    }
}

/// One partial result: the running totals of some chunks of the simulation of the base and
/// every variant.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Piece {
    /// The version of kjproj that wrote it.
    pub kjproj: String,
    /// The scenario file, as an absolute path when it could be made one.
    pub scenario: PathBuf,
    /// The fingerprint of what the scenario was read from (see
    /// [`crate::scenario::Origin::fingerprint`]).
    pub fingerprint: String,
    /// The command line's settings.
    pub overrides: Overrides,
    /// The chunks asked for.
    pub part: Part,
    /// The base's (`base`) and each variant's simulation, by name; evaluations without a
    /// simulation are not listed.
    pub simulations: Vec<(String, monte_carlo::Partial)>,
}

/// The draws a piece of `part` of `file` simulates: the total of a progress bar.
pub fn draws_of(file: &Scenario, overrides: &Overrides, part: Part) -> u64 {
    super::simulation_draws(file, overrides)
        .map(|(_, draws)| {
            part.of(monte_carlo::chunk_count(draws))
                .map(|c| monte_carlo::chunk_len(draws, c) as u64)
                .sum::<u64>()
        })
        .sum()
}

/// Simulates `part` of the simulation of the base and every variant of `file` (as
/// `kjproj run` would run them), adding the draws done to `progress`.
pub fn simulate(
    file: &Scenario,
    path: &Path,
    overrides: &Overrides,
    part: Part,
    progress: Option<&AtomicU64>,
) -> Result<Piece, Error> {
    super::cost::check_file(file, overrides, Analyses::ALL, super::cost::Repeats(1.0))?;
    let simulations = super::side_by_side(file, |_, v| {
        let scenario = v.map_or(file, |v| &v.scenario);
        let settings = Settings::resolve(scenario, overrides);
        let outputs = super::sensitivity_outputs(scenario, overrides, Analyses::ALL)?;
        let plan =
            super::simulation_plan(scenario, Analyses::ALL, outputs.as_ref().map(|o| &o.0[..]));
        Ok(plan.map(|extra| {
            let chunks = part.of(monte_carlo::chunk_count(settings.simulation.draws));
            let name = v.map_or(BASE, |v| &v.name).to_owned();
            let p =
                monte_carlo::run_chunks(scenario, settings.simulation, progress, &extra, chunks);
            (name, p)
        }))
    })?;
    if crate::error::interrupted() {
        return Err(Error::Interrupted);
    }
    Ok(Piece {
        kjproj: env!("CARGO_PKG_VERSION").into(),
        scenario: std::path::absolute(path).unwrap_or_else(|_| path.to_owned()),
        fingerprint: file.origin.fingerprint(),
        overrides: overrides.clone(),
        part,
        simulations: simulations.into_iter().flatten().collect(),
    })
}

impl Piece {
    /// The piece as the bytes of a partial result file.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let body = postcard::to_stdvec(self).map_err(|e| Error::Internal {
            context: "partial result".into(),
            message: e.to_string(),
        })?;
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&crate::stats::hash::fnv1a_64([&body[..]]).to_le_bytes());
        bytes.extend_from_slice(&body);
        Ok(bytes)
    }

    /// Reads a piece from the bytes of a partial result file, or says why they are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Piece, String> {
        let rest = bytes
            .strip_prefix(MAGIC)
            .ok_or("it is not a kjproj partial result (write one with `kjproj run --chunks … --partial FILE`)")?;
        let (version, body) = rest.split_first_chunk::<4>().ok_or("it is cut short")?;
        let version = u32::from_le_bytes(*version);
        if version != FORMAT_VERSION {
            return Err(format!(
                "it is in version {version} of the partial result format; this kjproj reads version {FORMAT_VERSION}"
            ));
        }
        let (checksum, body) = body.split_first_chunk::<8>().ok_or("it is cut short")?;
        if u64::from_le_bytes(*checksum) != crate::stats::hash::fnv1a_64([body]) {
            return Err("it is damaged or cut short (its checksum does not match)".into());
        }
        postcard::from_bytes(body).map_err(|e| format!("it is damaged or cut short ({e})"))
    }
}

/// The partial results of one run, read and checked to belong together.
#[derive(Debug)]
pub struct Pieces {
    pieces: Vec<(PathBuf, Piece)>,
}

impl Pieces {
    /// Reads the partial results `paths` (at most [`MAX_PIECES`], each at most
    /// [`MAX_PIECE_BYTES`]) and checks that they come from one scenario, one version of
    /// kjproj and one set of settings.
    pub fn read(paths: &[PathBuf]) -> Result<Pieces, Error> {
        if paths.is_empty() {
            return Err(Error::Usage(
                "merge: give the partial results to merge".into(),
            ));
        }
        if paths.len() > MAX_PIECES {
            return Err(Error::Usage(format!(
                "merge: {} partial results are more than the {MAX_PIECES} one merge reads",
                paths.len()
            )));
        }
        let mut total = 0;
        let mut pieces = Vec::with_capacity(paths.len());
        for path in paths {
            let bad = |why: String| Error::Usage(format!("{}: {why}", path.display()));
            let meta = std::fs::metadata(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
            if !meta.is_file() {
                return Err(bad("it is not a regular file".into()));
            }
            total += meta.len();
            if meta.len() > MAX_PIECE_BYTES || total > MAX_TOTAL_BYTES {
                return Err(bad(format!(
                    "partial results may be at most {} MB each and {} MB together",
                    MAX_PIECE_BYTES >> 20,
                    MAX_TOTAL_BYTES >> 20
                )));
            }
            let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
            let piece = Piece::from_bytes(&bytes).map_err(bad)?;
            pieces.push((path.clone(), piece));
        }
        let (first_path, first) = &pieces[0];
        for (path, p) in &pieces[1..] {
            let differs = if p.kjproj != first.kjproj {
                Some(format!("kjproj {} against {}", p.kjproj, first.kjproj))
            } else if p.scenario != first.scenario || p.fingerprint != first.fingerprint {
                Some(format!(
                    "scenario {} ({}) against {} ({})",
                    p.scenario.display(),
                    p.fingerprint,
                    first.scenario.display(),
                    first.fingerprint
                ))
            } else if p.overrides != first.overrides {
                Some("other settings on the command line (draws, seed, sampling, Sobol, --output, --lang or --money)".into())
            } else {
                None
            };
            if let Some(what) = differs {
                return Err(Error::Usage(format!(
                    "{} and {} are pieces of different runs: {what}",
                    path.display(),
                    first_path.display()
                )));
            }
        }
        Ok(Pieces { pieces })
    }

    /// The scenario file the pieces were computed for.
    pub fn scenario(&self) -> &Path {
        &self.pieces[0].1.scenario
    }

    /// Loads the scenario the pieces were computed for, from where they say or from
    /// `moved_to`, and checks it is unchanged (see [`Pieces::check_scenario`]); returns
    /// its path too.
    pub fn load_scenario(&self, moved_to: Option<&Path>) -> Result<(PathBuf, Scenario), Error> {
        let path = moved_to.unwrap_or_else(|| self.scenario()).to_owned();
        let file = crate::scenario::load(&path)?;
        self.check_scenario(&file)?;
        Ok((path, file))
    }

    /// The command line's settings of the run.
    pub fn overrides(&self) -> &Overrides {
        &self.pieces[0].1.overrides
    }

    /// Checks that `file` is read from what the pieces were computed for.
    pub fn check_scenario(&self, file: &Scenario) -> Result<(), Error> {
        let now = file.origin.fingerprint();
        let then = &self.pieces[0].1.fingerprint;
        if &now != then {
            return Err(Error::Usage(format!(
                "{} (or a file it extends or reads) has changed since the partial results were computed \
                 (fingerprint {now}, was {then}); compute them again",
                file.origin.file_name()
            )));
        }
        let names: Vec<&str> = std::iter::once(BASE)
            .chain(file.variants.iter().map(|v| v.name.as_str()))
            .collect();
        for (path, p) in &self.pieces {
            if let Some((name, _)) = p
                .simulations
                .iter()
                .find(|(n, _)| !names.contains(&n.as_str()))
            {
                return Err(Error::Usage(format!(
                    "{}: it has a simulation of `{name}`, which the scenario does not have",
                    path.display()
                )));
            }
        }
        Ok(())
    }

    /// The merged simulation of the evaluation `name` (`base` or a variant's).
    pub fn simulation(
        &self,
        name: &str,
        scenario: &Scenario,
        settings: Settings,
        extra: &[Quantity],
    ) -> Result<MonteCarlo, Error> {
        let mut parts = Vec::with_capacity(self.pieces.len());
        for (path, p) in &self.pieces {
            match p.simulations.iter().find(|(n, _)| n == name) {
                Some((_, partial)) => parts.push(partial),
                None => {
                    return Err(Error::Usage(format!(
                        "{}: it has no simulation of `{name}`",
                        path.display()
                    )));
                }
            }
        }
        monte_carlo::merge(scenario, settings.simulation, extra, &parts).map_err(|why| {
            Error::Usage(format!(
                "merging the simulation of `{name}` from {}: {why}",
                self.names()
            ))
        })
    }

    fn names(&self) -> String {
        let mut names: Vec<String> = self
            .pieces
            .iter()
            .take(3)
            .map(|(p, _)| p.display().to_string())
            .collect();
        if self.pieces.len() > 3 {
            names.push(format!("{} more", self.pieces.len() - 3));
        }
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_cover_every_chunk_once_and_ranges_are_clipped() {
        for chunks in [0, 1, 5, 16, 17, 1000] {
            for n in 1..=7 {
                let mut next = 0;
                for k in 1..=n {
                    let r = Part::Share(k, n).of(chunks);
                    assert_eq!(r.start, next, "{k}/{n} of {chunks}");
                    next = r.end;
                }
                assert_eq!(next, chunks);
            }
        }
        assert_eq!(Part::Chunks(3, 100).of(16), 3..16);
        assert_eq!(Part::Chunks(20, 30).of(16), 16..16);
        assert_eq!(Part::parse("0..8"), Ok(Part::Chunks(0, 8)));
        assert_eq!(Part::parse(" 2 / 4 "), Ok(Part::Share(2, 4)));
        for bad in ["8..8", "0/4", "5/4", "x..2", "3", ""] {
            assert!(Part::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_piece_reads_back_as_written_and_other_bytes_are_refused() {
        let piece = Piece {
            kjproj: "0.1.0".into(),
            scenario: "/a/b.toml".into(),
            fingerprint: "00ff".into(),
            overrides: Overrides::default(),
            part: Part::Share(1, 2),
            simulations: Vec::new(),
        };
        let bytes = piece.to_bytes().unwrap();
        assert_eq!(Piece::from_bytes(&bytes), Ok(piece));
        let mut newer = bytes.clone();
        newer[MAGIC.len()] = 2;
        assert!(Piece::from_bytes(&newer).unwrap_err().contains("version 2"));
        assert!(Piece::from_bytes(&bytes[..MAGIC.len() + 2]).is_err());
        assert!(Piece::from_bytes(b"PK\x03\x04").is_err());
    }
}
