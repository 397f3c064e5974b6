#!/usr/bin/env bash
# What CI runs, in one place: formatting, lints (warnings are errors), then the README's test command.
# Usage: scripts/check.sh   (from anywhere in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# CI machines have 2 cores; say so rather than let cargo guess from a container's view.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-$(nproc)}"

echo "== cargo fmt --check"
cargo fmt --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --all-targets -- -D warnings

echo "== cargo test (the README's test command)"
cargo test --locked
