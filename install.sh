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
#   ./install.sh --replace-pyenv     switch from pyenv: comment out pyenv's lines in the shell
#                                    startup files (each changed file is backed up first) and
#                                    point pyv at pyenv's root ($PYENV_ROOT or ~/.pyenv), so its
#                                    versions and virtualenvs stay. Without it, pyenv's lines are
#                                    listed with what to change.
set -euo pipefail

usage() {
  sed -n '2,17s/^# \{0,1\}//p' "$0"
}

modify_rc=1
replace_pyenv=0
build_deps=0
auto_activate="" # empty: keep what each rc file's block had
from_dir="${PYV_INSTALL_FROM-}"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --no-modify-rc) modify_rc=0 ;;
    --auto-activate) auto_activate=1 ;;
    --no-auto-activate) auto_activate=0 ;;
    --with-build-deps) build_deps=1 ;;
    --replace-pyenv) replace_pyenv=1 ;;
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
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
pyenv_root="${pyenv_root%/}"
if [ "$replace_pyenv" -eq 1 ]; then
  if [ ! -d "$pyenv_root/versions" ]; then
    echo "install.sh: --replace-pyenv: no pyenv root at $pyenv_root (it has no versions/ directory)" >&2
    echo "hint: set PYENV_ROOT to your pyenv root, or leave out --replace-pyenv" >&2
    exit 1
  fi
  if [ "$modify_rc" -eq 0 ]; then
    echo "install.sh: --replace-pyenv changes the shell startup files; it cannot be used with --no-modify-rc" >&2
    exit 2
  fi
  # pyv's binaries stay in pyv's own bin/ (never pyenv's); its root becomes pyenv's.
  root="$pyenv_root"
fi

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

# Temp files this run made: removed on any exit, so a failed or interrupted run leaves none.
tmp_files=()
trap 'rm -f "${tmp_files[@]}"' EXIT

# The file an rc path really is: a symlinked rc (dotfile managers) is written through to its
# target and stays a link.
rc_target() {
  if [ -L "$1" ]; then readlink -f -- "$1"; else printf '%s\n' "$1"; fi
}

# A new temp file beside `target` (same filesystem, so the final rename is atomic).
rc_tmp() {
  local t
  t="$(mktemp "$(dirname "$1")/.$(basename "$1").pyv.XXXXXX")" || return 1
  tmp_files+=("$t")
  printf '%s\n' "$t"
}

# Put `tmp` in place of rc file `rc`: only if it differs, only if its shell accepts it, after a
# backup (`<rc>.pyv-backup`, then `.1`, `.2`, ...; one per file and run, of the text before
# this run), keeping the file's mode and owner, by one rename. On any failure (a full disk
# included) `rc` is left as it was. Prints what it did.
declare -A backed_up=()
commit_rc() {
  local rc="$1" tmp="$2" what="$3" target backup n
  target="$(rc_target "$rc")"
  if [ -f "$target" ] && cmp -s "$tmp" "$target"; then
    rm -f "$tmp"
    say "$rc is up to date"
    return 0
  fi
  if ! syntax_check "$rc" "$tmp" >/dev/null 2>&1; then
    rm -f "$tmp"
    say "left $rc unchanged: the new text would not parse; edit it by hand"
    return 1
  fi
  backup=""
  if [ -s "$target" ] && [ -z "${backed_up[$target]-}" ]; then
    backup="$rc.pyv-backup"
    n=1
    while [ -e "$backup" ]; do
      backup="$rc.pyv-backup.$n"
      n=$((n + 1))
    done
    if ! cp -p -- "$target" "$backup"; then
      rm -f "$tmp" "$backup"
      say "left $rc unchanged: could not back it up to $backup"
      return 1
    fi
    backed_up[$target]=1
  fi
  if [ -s "$target" ]; then
    chmod --reference="$target" "$tmp" 2>/dev/null || true
    [ "$(id -u)" -ne 0 ] || chown --reference="$target" "$tmp" 2>/dev/null || true
  else
    chmod 644 "$tmp"
  fi
  if ! mv -f -- "$tmp" "$target"; then
    rm -f "$tmp"
    say "left $rc unchanged: could not replace it"
    return 1
  fi
  say "$what $rc${backup:+ (backup: $backup)}"
}

# Replace (or append) the marked block in an rc file.
write_block() {
  local rc="$1" block="$2" target tmp
  target="$(rc_target "$rc")"
  mkdir -p "$(dirname "$target")"
  [ -e "$target" ] || : >"$target"
  tmp="$(rc_tmp "$target")" || { say "left $rc unchanged: no temp file beside it"; return 1; }
  if ! {
    awk -v b="$begin_marker" -v e="$end_marker" '
      $0 == b { skip = 1; next }
      $0 == e { skip = 0; next }
      !skip { print }
    ' "$target" && printf '%s\n%s\n%s\n' "$begin_marker" "$block" "$end_marker"
  } >"$tmp"; then
    rm -f "$tmp"
    say "left $rc unchanged: could not write the new text (is the disk full?)"
    return 1
  fi
  commit_rc "$rc" "$tmp" updated
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

# pyenv's setup in the shell startup files: lines outside pyv's block, not comments, that name
# pyenv's init, its root or its bin/shims directories. Prints `<file>\t<line number>\t<text>`.
rc_files=("$HOME/.bashrc" "$HOME/.bash_profile" "$HOME/.profile" "${ZDOTDIR:-$HOME}/.zshrc"
  "${ZDOTDIR:-$HOME}/.zprofile" "$HOME/.config/fish/config.fish")
find_pyenv_lines() {
  local rc
  for rc in "${rc_files[@]}"; do
    [ -f "$rc" ] || continue
    awk -v b="$begin_marker" -v e="$end_marker" -v f="$rc" '
      $0 == b { inside = 1; next }
      $0 == e { inside = 0; next }
      here != "" {
        line = $0
        if (strip) sub(/^\t+/, "", line)
        if (line == here) here = ""
        next
      }
      !inside && match($0, /<<-?[[:space:]]*["'"'"'\\]?[A-Za-z_][A-Za-z0-9_]*/) {
        # A heredoc starts: its body is data (a generated file), never pyenv setup to change.
        tag = substr($0, RSTART, RLENGTH)
        strip = (tag ~ /^<<-/)
        sub(/^<<-?[[:space:]]*["'"'"'\\]?/, "", tag)
        here = tag
      }
      inside || /^[[:space:]]*#/ || /# \[pyv --replace-pyenv\] / { next }
      /pyenv (init|virtualenv-init)|PYENV_ROOT|\.pyenv\/(bin|shims)|pyenv\/bin/ { print f "\t" NR "\t" $0 }
    ' "$rc"
  done
}

# A line that opens a block (`if ...; then` without its `fi`) cannot be replaced on its own.
opens_block() {
  local t="${1#"${1%%[![:space:]]*}"}"
  case "$t" in
    if\ * | while\ * | for\ * | case\ * | elif\ *)
      case "$t" in *fi | *done | *esac | *end) return 1 ;; *) return 0 ;; esac
      ;;
  esac
  return 1
}

# The shell that checks an rc file's syntax: bash -n, zsh -n, fish -n.
syntax_check() {
  local rc="$1" file="$2"
  case "$rc" in
    *.fish) ! command -v fish >/dev/null 2>&1 || fish -n "$file" ;;
    *zshrc | *zprofile) ! command -v zsh >/dev/null 2>&1 || zsh -n "$file" ;;
    *) bash -n "$file" ;;
  esac
}

# --replace-pyenv: in each file, replace pyenv's lines with a no-op that keeps the original as a
# comment (`true` keeps an `if ...; then` body non-empty; fish gets a plain comment), after a
# backup; the result is syntax-checked first and left alone if the shell rejects it.
comment_out_pyenv() {
  local found="$1" rc lines target tmp
  for rc in "${rc_files[@]}"; do
    lines="$(awk -F '\t' -v f="$rc" '$1 == f { print $2 }' <<<"$found")"
    [ -n "$lines" ] || continue
    target="$(rc_target "$rc")"
    tmp="$(rc_tmp "$target")" || { say "left $rc unchanged: no temp file beside it"; continue; }
    if ! awk -v lines="$lines" -v fish="$([[ "$rc" == *.fish ]] && echo 1 || echo 0)" '
      BEGIN { n = split(lines, l, "\n"); for (i = 1; i <= n; i++) hit[l[i]] = 1 }
      NR in hit && !(/^[[:space:]]*(if|while|for|case|elif)[[:space:]]/ && !/(fi|done|esac|end)[[:space:]]*$/) {
        match($0, /^[[:space:]]*/)
        indent = substr($0, 1, RLENGTH)
        print indent (fish ? "" : "true ") "# [pyv --replace-pyenv] " substr($0, RLENGTH + 1)
        next
      }
      { print }
    ' "$target" >"$tmp"; then
      rm -f "$tmp"
      say "left $rc unchanged: could not write the new text (is the disk full?)"
      continue
    fi
    if ! syntax_check "$rc" "$tmp" >/dev/null 2>&1; then
      rm -f "$tmp"
      say "left $rc unchanged: with pyenv's lines commented out it would not parse; edit it by hand"
      continue
    fi
    if commit_rc "$rc" "$tmp" "commented out pyenv's lines in"; then
      replaced_rcs+=("$rc")
    fi
  done
}

replaced_rcs=()
pyenv_found="$(find_pyenv_lines)"
if [ -n "$pyenv_found" ]; then
  say "pyenv is set up in your shell startup files:"
  while IFS=$'\t' read -r f n text; do
    printf '    %s:%s: %s\n' "$f" "$n" "$text"
    if opens_block "$text"; then
      printf '      (this line opens a block: pyv leaves it; it does nothing once PYENV_ROOT is unset)\n'
    fi
  done <<<"$pyenv_found"
  if [ "$replace_pyenv" -eq 1 ]; then
    comment_out_pyenv "$pyenv_found"
  else
    say "to switch to pyv: comment out each line above (pyv's block below replaces them) and, to"
    say "keep the versions and virtualenvs in $pyenv_root, put this line in pyv's block:"
    say "    export PYV_ROOT=$(printf '%q' "$pyenv_root")      (fish: set -gx PYV_ROOT $(printf '%q' "$pyenv_root"))"
    say "or re-run with --replace-pyenv, which does both and backs each changed file up first"
  fi
fi

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
    # pyv's completion registers with compdef, which a new user's .zshrc has not loaded yet.
    # shellcheck disable=SC2016 # zsh code, expanded by zsh
    zsh_compinit='(( $+functions[compdef] )) || { autoload -Uz compinit && compinit; }'
    write_block "$rc" "${root_export}${posix_path}"$'\n'"${zsh_compinit}"$'\n'"eval \"\$($(q "$bin_dir/pyv") init zsh$(init_flags "$rc"))\""
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
  # Login shells read a profile, not .bashrc: where --replace-pyenv commented pyenv's lines out
  # of one, pyv's block goes there too, or `bash -l` and `zsh -l` would have neither.
  for rc in "${replaced_rcs[@]}"; do
    case "$rc" in
      */.bash_profile | */.profile | */.zprofile)
        write_block "$rc" "${root_export}${posix_path}"$'\n'"eval \"\$($(q "$bin_dir/pyv") init -)\"" || true
        ;;
    esac
  done
  say "open a new shell (or 'exec \$SHELL') to start using pyv"
else
  say "left shell startup files alone (--no-modify-rc); add this to yours:"
  say "  eval \"\$($bin_dir/pyv init bash)\""
fi
say "done: try '$bin_dir/pyv install 3.13' then 'pyv global 3.13'"
