#!/usr/bin/env bash
# pyv's whole test suite, as CI runs it: the system packages it needs, formatting, lints,
# unit tests, the real binary driven in real bash/zsh/fish, and two real CPython builds from
# ../shared/cpython served on 127.0.0.1 (the `#[ignore]`d tests, included here).
#
#   bash tests/run.sh            everything (~20 min on 2 cores, most of it compiling CPython)
#   bash tests/run.sh --quick    skip the real CPython builds
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0
[ "${1-}" = "--quick" ] && quick=1

# What the tests need from the OS: real shells, shellcheck, a real Python with venv, and the
# headers CPython's build uses.
packages=(zsh fish shellcheck python3 python3-venv pkg-config make gcc
  libssl-dev zlib1g-dev libffi-dev libsqlite3-dev libbz2-dev libreadline-dev liblzma-dev
  libncurses-dev tk-dev uuid-dev libgdbm-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "tests/run.sh: missing packages (${missing[*]}); this script knows how to install them on Debian/Ubuntu only" >&2
    exit 1
  fi
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "tests/run.sh: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  PATH="$HOME/.cargo/bin:$PATH"
fi

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== shellcheck"
shellcheck install.sh tests/run.sh bench/*.sh .ci/run
echo "== cargo test"
if [ "$quick" -eq 1 ]; then
  cargo test --workspace --locked
else
  cargo test --workspace --locked -- --include-ignored
fi
