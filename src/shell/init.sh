# pyv shell integration for POSIX sh (dash, ksh, busybox sh). Load it with: eval "$(pyv init - sh)"
# No completions or command-not-found hook here: those need bash, zsh or fish.
export PYV_SHELL=sh
__pyv_bin=@PYV@
__pyv_shims=@SHIMS@

@PATH@
# Commands that change this shell print code for it to evaluate.
pyv() {
  case "${1-}" in
  shell | activate | deactivate)
    __pyv_cmd="$1"
    shift
    __pyv_out="$("$__pyv_bin" "sh-$__pyv_cmd" "$@")" || return $?
    eval "$__pyv_out"
    ;;
  *)
    "$__pyv_bin" "$@"
    ;;
  esac
}
