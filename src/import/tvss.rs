//! Placeholder: being written.

use super::{Emit, ImportError, ParseContext};
use std::io::BufRead;

/// Reads a schedule and hands each programme to `emit`.
pub fn parse(
    _input: impl BufRead,
    _ctx: &mut ParseContext,
    _emit: &mut Emit,
) -> Result<(), ImportError> {
    Ok(())
}
