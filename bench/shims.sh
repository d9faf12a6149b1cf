#!/usr/bin/env bash
# The everyday hot paths, pyv against pyenv, with hyperfine (Debian package `hyperfine`):
#   python3 -c pass  directly / through pyv's shim / through pyenv's shim (+ peak memory)
#   eval "$(... init bash)" in a new bash / `versions` / `which python3` / `version-name` /
#   `rehash` of the same versions tree.
# pyenv is looked for at $PYENV_ROOT or ~/.pyenv; without it the pyenv column is skipped (and
# said so) and pyv runs against /usr/bin/python3. Run from anywhere: bash bench/shims.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${BENCH_RUNS:-30}"

command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 1; }

echo "building pyv (release)..."
(cd "$here" && cargo build --release --workspace --quiet)
pyv="$here/target/release/pyv"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PYV_ROOT="$work/pyv-root"
mkdir -p "$PYV_ROOT/versions" "$work/proj"
unset PYV_VERSION PYENV_VERSION

pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
have_pyenv=0
if [ -x "$pyenv_root/bin/pyenv" ] && [ -d "$pyenv_root/versions" ] && [ -n "$(ls -A "$pyenv_root/versions")" ]; then
  have_pyenv=1
  pyenv_ver="$(git -C "$pyenv_root" describe --tags 2>/dev/null || cat "$pyenv_root/version" 2>/dev/null || echo unknown)"
  echo "pyenv found at $pyenv_root ($pyenv_ver): comparing against it"
  # pyv gets the very same interpreters: one symlink per pyenv version.
  for v in "$pyenv_root"/versions/*; do
    ln -s "$v" "$PYV_ROOT/versions/$(basename "$v")"
  done
  all_versions="$(find "$pyenv_root/versions" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V)"
  target="$(grep -E '^3\.11\.' <<<"$all_versions" | tail -1 || true)"
  target="${target:-$(tail -1 <<<"$all_versions")}"
  direct="$pyenv_root/versions/$target/bin/python3"
else
  echo "pyenv not found (looked in $pyenv_root): the pyenv column is skipped"
  target=sys
  mkdir -p "$PYV_ROOT/versions/sys/bin"
  ln -s /usr/bin/python3 "$PYV_ROOT/versions/sys/bin/python3"
  direct=/usr/bin/python3
fi
echo "$target" >"$work/proj/.python-version"
"$pyv" rehash
cd "$work/proj"

json="$work/results"
mkdir -p "$json"
bench() { # name command (run without a shell: hyperfine -N looks the command up on PATH)
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$json/$1.json" "$2" >/dev/null
}

pyenv_env=(env "PYENV_ROOT=$pyenv_root" "PATH=$pyenv_root/shims:$pyenv_root/bin:$PATH")
pyv_env=(env "PATH=$PYV_ROOT/shims:$PATH")

# "direct" is the very file the shim execs, so the difference is the shim alone.
direct="$PYV_ROOT/versions/$target/bin/python3"
shim_runs=$((runs * 3))
hyperfine -N --warmup 5 --runs "$shim_runs" --export-json "$json/direct.json" "$direct -c pass" >/dev/null
"${pyv_env[@]}" hyperfine -N --warmup 5 --runs "$shim_runs" --export-json "$json/pyv_shim.json" "python3 -c pass" >/dev/null
bench bash_bare "bash --norc -c true"
bench pyv_init "bash --norc -c 'eval \"\$($pyv init bash)\"'"
bench pyv_versions "$pyv versions"
bench pyv_which "$pyv which python3"
bench pyv_version_name "$pyv version-name"
bench pyv_rehash_noop "$pyv rehash"
hyperfine -N --warmup 3 --runs "$runs" --prepare "rm -f $PYV_ROOT/shims/python3" \
  --export-json "$json/pyv_rehash.json" "$pyv rehash" >/dev/null
if [ "$have_pyenv" -eq 1 ]; then
  pe="$pyenv_root/bin/pyenv"
  "${pyenv_env[@]}" hyperfine -N --warmup 5 --runs "$shim_runs" --export-json "$json/pyenv_shim.json" "python3 -c pass" >/dev/null
  bench pyenv_init "bash --norc -c 'export PYENV_ROOT=$pyenv_root; eval \"\$($pe init -)\"'"
  for c in versions "which python3" version-name rehash; do
    "${pyenv_env[@]}" hyperfine -N --warmup 3 --runs "$runs" --export-json "$json/pyenv_${c%% *}.json" "$pe $c" >/dev/null
  done
fi

# Peak memory (max RSS, KiB) of the whole command: the shim execs, so it adds nothing.
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
rss_direct="$(rss "$direct" -c pass)"
rss_pyv="$(env "PATH=$PYV_ROOT/shims:$PATH" /usr/bin/time -f %M python3 -c pass 2>&1 >/dev/null | tail -1)"
rss_pyenv="-"
if [ "$have_pyenv" -eq 1 ]; then
  rss_pyenv="$(env "PYENV_ROOT=$pyenv_root" "PATH=$pyenv_root/shims:$pyenv_root/bin:$PATH" /usr/bin/time -f %M python3 -c pass 2>&1 >/dev/null | tail -1)"
fi

n_versions="$(find "$PYV_ROOT/versions" -mindepth 1 -maxdepth 1 | wc -l)"
n_shims="$(find "$PYV_ROOT/shims" -mindepth 1 -maxdepth 1 | wc -l)"
python3 - "$json" "$have_pyenv" "$rss_direct" "$rss_pyv" "$rss_pyenv" "$n_versions" "$n_shims" <<'PY'
import json, os, sys
d, have_pyenv = sys.argv[1], sys.argv[2] == "1"
rss_direct, rss_pyv, rss_pyenv, nv, ns = sys.argv[3:8]
def ms(name):
    p = os.path.join(d, name + ".json")
    if not os.path.exists(p):
        return None
    return json.load(open(p))["results"][0]["mean"] * 1000
direct, bare = ms("direct"), ms("bash_bare")
rows = [
    ("python3 -c pass via shim (ms)", ms("pyv_shim"), ms("pyenv_shim"), f"direct {direct:.1f} ms"),
    ("  ... ratio to direct", ms("pyv_shim") / direct, (ms("pyenv_shim") or 0) / direct or None, "target <= 1.03x"),
    ("init eval in bash (ms, minus bare bash)", ms("pyv_init") - bare, (ms("pyenv_init") - bare) if ms("pyenv_init") else None, f"bare bash {bare:.1f} ms; target <= 5 ms"),
    ("versions (ms)", ms("pyv_versions"), ms("pyenv_versions"), "target <= 3 ms"),
    ("which python3 (ms)", ms("pyv_which"), ms("pyenv_which"), "target <= 3 ms"),
    ("version-name (ms)", ms("pyv_version_name"), ms("pyenv_version-name"), "target <= 3 ms"),
    (f"rehash, {nv} versions / {ns} shims (ms)", ms("pyv_rehash"), ms("pyenv_rehash"), f"no-op rehash {ms('pyv_rehash_noop'):.2f} ms; target <= 10 ms"),
]
print()
print(f"{'':44} {'pyv':>9} {'pyenv':>9} {'pyenv/pyv':>10}  note")
for name, a, b, note in rows:
    fa = f"{a:9.2f}"
    fb = f"{b:9.2f}" if (b is not None and have_pyenv) else "  skipped"
    ratio = f"{b / a:9.1f}x" if (b is not None and have_pyenv and "ratio" not in name) else " " * 10
    print(f"{name:44} {fa} {fb} {ratio}  {note}")
print(f"{'peak RSS, python3 -c pass (KiB)':44} {rss_pyv:>9} {rss_pyenv:>9} {'':10}  direct {rss_direct} KiB")
PY
