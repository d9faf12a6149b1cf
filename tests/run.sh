#!/usr/bin/env bash
# pyv's whole test suite, as CI runs it: the system packages it needs, formatting, lints,
# unit tests, the real binary driven in real bash/zsh/fish, and three real CPython builds
# (3.11.2, 3.13.5, 2.7.18) from ../shared/cpython served on 127.0.0.1 (the `#[ignore]`d test,
# included here; PYV_SHARED_DIR names another `shared` directory). Outside CI (`CI` unset or
# `false`), a test whose shared data is missing is skipped, and this script says so in one line
# per missing item; under `CI=true` such a test fails.
#
#   bash tests/run.sh            everything (~17 min on 2 cores, as the README measures; the real CPython builds run beside the rest)
#   bash tests/run.sh --quick    skip the real CPython builds
#
# With cargo-nextest (preferred) the test binaries are built once, the real-build test starts
# in the background right away and clippy and the other tests run beside it; without it, plain
# `cargo test` runs everything one after the other. Each phase's wall time is printed at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0
[ "${1-}" = "--quick" ] && quick=1

# Phase timing: `phase <name> <command...>` runs the command and records its wall time. Its
# output goes to the console and to target/ci/phase-<name>.log; a failing phase is named again
# at the end with the last lines of its log.
timings=()
run_started=$SECONDS
failed_phase=""
failed_log=""
mkdir -p target/ci
phase() {
  local name="$1" started=$SECONDS status=0 log
  shift
  log="target/ci/phase-$(printf '%s' "$name" | tr -c 'A-Za-z0-9.-' '_').log"
  echo "== $name"
  set +e
  (
    set -e
    "$@"
  ) 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  timings+=("$(printf '%5ds  %s' $((SECONDS - started)) "$name")")
  if [ "$status" -ne 0 ]; then
    failed_phase="$name"
    failed_log="$log"
    exit "$status"
  fi
}
real_pid=""
# SIGTERM a process and all its descendants, leaves first (the background job is a subshell
# running nextest, which runs the test, which runs pyv, which runs make in its own group).
kill_tree() {
  local child
  for child in $(pgrep -P "$1" || true); do kill_tree "$child"; done
  kill -TERM "$1" 2>/dev/null || true
}
report() {
  local status=$?
  # A failure above must not leave the background real builds running.
  if [ -n "$real_pid" ] && kill -0 "$real_pid" 2>/dev/null; then
    echo "== stopping the background real builds (an earlier phase failed)"
    kill_tree "$real_pid"
    wait "$real_pid" 2>/dev/null || true
  fi
  echo "== elapsed per phase"
  local t
  for t in "${timings[@]}"; do echo "$t"; done
  printf '%5ds  total%s\n' $((SECONDS - run_started)) "$([ "$status" -eq 0 ] || echo " (FAILED)")"
  if [ -n "$failed_phase" ]; then
    echo "== FAILED: $failed_phase (whole log: $failed_log); its last 20 lines:"
    tail -n 20 "$failed_log"
  fi
}
trap report EXIT

# What the tests need from the OS: real shells, shellcheck, a real Python with venv, and the
# headers CPython's build uses.
packages=(zsh fish shellcheck procps python3 python3-venv pkg-config make gcc
  libssl-dev zlib1g-dev libffi-dev libsqlite3-dev libbz2-dev libreadline-dev liblzma-dev
  libncurses-dev tk-dev uuid-dev libgdbm-dev docker-registry apache2-utils tinyproxy openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
install_missing() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "tests/run.sh: missing packages (${missing[*]}); this script knows how to install them on Debian/Ubuntu only" >&2
    exit 1
  fi
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "tests/run.sh: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
if [ "${#missing[@]}" -gt 0 ]; then
  phase "system packages" install_missing
fi

# Shared data (../shared beside the checkout): outside CI, say in one line what each skipped
# test lacks (the tests skip themselves; nextest would hide their own note).
case "${CI-}" in "" | false | 0) in_ci=0 ;; *) in_ci=1 ;; esac
shared="${PYV_SHARED_DIR:-../shared}"
if [ "$in_ci" -eq 0 ]; then
  for need in "cpython/Python-3.11.2.tgz:the real CPython builds" \
    "cpython/Python-3.13.5.tar.xz:the real CPython builds" \
    "cpython/Python-2.7.18.tgz:the real CPython builds" \
    "pyenv-2.6.30/libexec/pyenv:the pyenv-made-root test" \
    "pyenv-2.6.30/plugins/python-build/share/python-build:the prebuilt-table test" \
    "pypy/pypy3.9-v7.3.11-linux64.tar.bz2:the real-PyPy test"; do
    [ -e "$shared/${need%%:*}" ] ||
      echo "tests/run.sh: skipping ${need#*:}: $shared/${need%%:*} is missing (the shared directory beside the checkout, or PYV_SHARED_DIR; see shared/README.md)"
  done
fi

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  PATH="$HOME/.cargo/bin:$PATH"
fi

phase "cargo fmt --check" cargo fmt --all --check
phase "shellcheck" shellcheck install.sh tests/run.sh bench/*.sh .ci/run

clippy() { cargo clippy --workspace --all-targets --locked -- -D warnings; }

# One ignored test moves a real shared-library CPython tree between roots; it borrows pyenv's
# 3.11.7 when this machine has one, and is skipped (saying so) when it does not. The real-build
# test makes the same cross-root checks on the 3.11.2 it builds, on every machine.
pyenv_tree_test=a_real_cpython_tree_moves_to_another_root
skip_filter=""
skip_args=()
if [ ! -x /root/.pyenv/versions/3.11.7/bin/python3 ]; then
  echo "tests/run.sh: no /root/.pyenv/versions/3.11.7 here: skipping $pyenv_tree_test"
  skip_filter=" and not test($pyenv_tree_test)"
  skip_args=(--skip "$pyenv_tree_test")
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "tests/run.sh: cargo-nextest not found; running the tests with cargo test, one after the other"
  phase "cargo clippy" clippy
  if [ "$quick" -eq 1 ]; then
    phase "cargo test" cargo test --workspace --locked
  else
    phase "cargo test (with the real builds)" cargo test --workspace --locked -- --include-ignored "${skip_args[@]}"
  fi
  exit 0
fi

# Build every test binary once and write down where they are: the runs below reuse them without
# invoking cargo, so they never wait on cargo's lock while clippy holds it.
meta="target/ci"
mkdir -p "$meta"
build_tests() {
  cargo nextest list --workspace --locked --list-type binaries-only --message-format json \
    >"$meta/binaries.json"
  cargo metadata --format-version 1 --locked >"$meta/cargo-metadata.json"
}
phase "build test binaries" build_tests
nextest() {
  cargo nextest run --binaries-metadata "$meta/binaries.json" \
    --cargo-metadata "$meta/cargo-metadata.json" --no-fail-fast "$@"
}

# The real CPython builds take longest: start them first, in the background, logged.
if [ "$quick" -eq 0 ]; then
  echo "== real CPython builds: started in the background (log: $meta/real_build.log)"
  real_started=$SECONDS
  nextest -E 'binary(real_build)' --run-ignored all >"$meta/real_build.log" 2>&1 &
  real_pid=$!
fi

phase "cargo clippy" clippy
phase "doc tests" cargo test --workspace --locked --doc
ignored=(--run-ignored all)
[ "$quick" -eq 0 ] || ignored=()
phase "tests (all binaries but real_build)" nextest -E "not binary(real_build)$skip_filter" "${ignored[@]}"

if [ -n "$real_pid" ]; then
  echo "== real CPython builds: waiting"
  real_status=0
  wait "$real_pid" || real_status=$?
  real_pid=""
  cat "$meta/real_build.log"
  timings+=("$(printf '%5ds  %s' $((SECONDS - real_started)) "real CPython builds (overlapping the phases above)")")
  if [ "$real_status" -ne 0 ]; then
    failed_phase="real CPython builds"
    failed_log="$meta/real_build.log"
    exit "$real_status"
  fi
fi
