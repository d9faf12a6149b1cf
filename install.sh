#!/usr/bin/env bash
# Build pyv from this checkout and install it under $PYV_ROOT/bin (default ~/.pyv/bin), then
# hook it into your shells' startup files inside a marked block (idempotent; re-run to update).
#
#   ./install.sh                     build, install, add the shell hook
#   ./install.sh --no-modify-rc      build and install only
#   ./install.sh --with-build-deps   also install what compiling CPython needs (apt, dnf, ...)
#   ./install.sh --auto-activate     the hook also activates the virtualenv a directory's
#                                    .python-version names (a re-run keeps it; undo with
#                                    --no-auto-activate)
#   ./install.sh --from-target DIR   install the pyv and pyv-shim already built in DIR (e.g.
#                                    target/release) instead of building; or PYV_INSTALL_FROM=DIR
set -euo pipefail

usage() {
  sed -n '2,12s/^# \{0,1\}//p' "$0"
}

modify_rc=1
build_deps=0
auto_activate="" # empty: keep what each rc file's block had
from_dir="${PYV_INSTALL_FROM-}"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --no-modify-rc) modify_rc=0 ;;
    --auto-activate) auto_activate=1 ;;
    --no-auto-activate) auto_activate=0 ;;
    --with-build-deps) build_deps=1 ;;
    --from-target)
      if [ "$#" -lt 2 ]; then
        echo "install.sh: --from-target needs a directory" >&2
        exit 2
      fi
      from_dir="$2"
      shift
      ;;
    --from-target=*) from_dir="${1#--from-target=}" ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "install.sh: unknown option '$1'" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done

say() { printf 'pyv install.sh: %s\n' "$*"; }

src_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${PYV_ROOT:-$HOME/.pyv}"
bin_dir="$root/bin"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install.sh: need root to run: $*" >&2
    return 1
  fi
}

if [ "$build_deps" -eq 1 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    say "installing CPython build dependencies with apt-get"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential pkg-config \
      libssl-dev zlib1g-dev libffi-dev libsqlite3-dev libbz2-dev libreadline-dev liblzma-dev \
      libncurses-dev tk-dev uuid-dev libgdbm-dev
  elif command -v dnf >/dev/null 2>&1; then
    as_root dnf install -y gcc make pkgconf-pkg-config openssl-devel zlib-devel libffi-devel \
      sqlite-devel bzip2-devel readline-devel xz-devel ncurses-devel tk-devel libuuid-devel gdbm-devel
  elif command -v pacman >/dev/null 2>&1; then
    as_root pacman -S --needed --noconfirm base-devel openssl zlib libffi sqlite bzip2 readline xz \
      ncurses tk util-linux-libs gdbm
  elif command -v brew >/dev/null 2>&1; then
    brew install openssl@3 readline sqlite3 xz zlib tcl-tk gdbm
  else
    say "no known package manager; run '$bin_dir/pyv doctor' after installing to see what is missing"
  fi
fi

if [ -n "$from_dir" ]; then
  for exe in pyv pyv-shim; do
    if [ ! -x "$from_dir/$exe" ]; then
      echo "install.sh: --from-target: no executable $from_dir/$exe (build it first: cargo build --workspace)" >&2
      exit 1
    fi
  done
  say "installing the binaries already built in $from_dir"
else
  if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
      PATH="$HOME/.cargo/bin:$PATH"
    else
      echo "install.sh: cargo (Rust's build tool) is not installed." >&2
      echo "  Get it from your distro (e.g. 'apt-get install cargo') or with rustup:" >&2
      echo "  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh" >&2
      exit 1
    fi
  fi
  target_dir="${CARGO_TARGET_DIR:-$src_dir/target}"
  say "building pyv (cargo build --release)"
  (cd "$src_dir" && CARGO_TARGET_DIR="$target_dir" cargo build --release --locked --workspace --quiet)
  from_dir="$target_dir/release"
fi

mkdir -p "$bin_dir"
for exe in pyv pyv-shim; do
  # temp file + rename: a running shim is never overwritten in place
  install -m 0755 "$from_dir/$exe" "$bin_dir/.$exe.new"
  mv -f "$bin_dir/.$exe.new" "$bin_dir/$exe"
done
say "installed $bin_dir/pyv and $bin_dir/pyv-shim"
PYV_ROOT="$root" "$bin_dir/pyv" rehash
say "shims are in $root/shims"

begin_marker="# >>> pyv >>>"
end_marker="# <<< pyv <<<"

# Replace (or append) the marked block in an rc file.
write_block() {
  local rc="$1" block="$2" tmp
  mkdir -p "$(dirname "$rc")"
  touch "$rc"
  tmp="$(mktemp "$rc.pyv.XXXXXX")"
  awk -v b="$begin_marker" -v e="$end_marker" '
    $0 == b { skip = 1; next }
    $0 == e { skip = 0; next }
    !skip { print }
  ' "$rc" >"$tmp"
  printf '%s\n%s\n%s\n' "$begin_marker" "$block" "$end_marker" >>"$tmp"
  cat "$tmp" >"$rc" # keep the rc file's inode, owner and mode
  rm -f "$tmp"
  say "updated $rc"
}

q() { printf '%q' "$1"; }

# " --auto-activate" if it was asked for, or (not asked either way) if rc's block had it.
init_flags() {
  local rc="$1"
  if [ "$auto_activate" = 1 ]; then
    printf ' --auto-activate'
  elif [ -z "$auto_activate" ] && [ -f "$rc" ] \
    && awk -v b="$begin_marker" -v e="$end_marker" '
      $0 == b { inside = 1; next }
      $0 == e { inside = 0; next }
      inside && /init (bash|zsh|fish) --auto-activate/ { found = 1 }
      END { exit !found }
    ' "$rc"; then
    printf ' --auto-activate'
  fi
}

if [ "$modify_rc" -eq 1 ]; then
  root_export=""
  if [ "$root" != "$HOME/.pyv" ]; then
    root_export="export PYV_ROOT=$(q "$root")"$'\n'
  fi
  posix_path="case \":\$PATH:\" in *:$(q "$bin_dir"):*) ;; *) export PATH=$(q "$bin_dir"):\$PATH ;; esac"
  rc="$HOME/.bashrc"
  write_block "$rc" "${root_export}${posix_path}"$'\n'"eval \"\$($(q "$bin_dir/pyv") init bash$(init_flags "$rc"))\""
  if command -v zsh >/dev/null 2>&1 || [ -e "$HOME/.zshrc" ]; then
    rc="${ZDOTDIR:-$HOME}/.zshrc"
    write_block "$rc" "${root_export}${posix_path}"$'\n'"eval \"\$($(q "$bin_dir/pyv") init zsh$(init_flags "$rc"))\""
  fi
  if command -v fish >/dev/null 2>&1 || [ -d "$HOME/.config/fish" ]; then
    fish_root=""
    if [ "$root" != "$HOME/.pyv" ]; then
      fish_root="set -gx PYV_ROOT $(q "$root")"$'\n'
    fi
    rc="$HOME/.config/fish/config.fish"
    write_block "$rc" \
      "${fish_root}contains -- $(q "$bin_dir") \$PATH; or set -gx PATH $(q "$bin_dir") \$PATH"$'\n'"$(q "$bin_dir/pyv") init fish$(init_flags "$rc") | source"
  fi
  say "open a new shell (or 'exec \$SHELL') to start using pyv"
else
  say "left shell startup files alone (--no-modify-rc); add this to yours:"
  say "  eval \"\$($bin_dir/pyv init bash)\""
fi
say "done: try '$bin_dir/pyv install 3.13' then 'pyv global 3.13'"
