
# pyv: names from the live root. Installed versions and environments for the commands that
# take them, the catalog for `install`, command names for `which`/`whence`/`exec`; everything
# else (subcommands, options) comes from _pyv above.
_pyv_dynamic() {
  local cur="${COMP_WORDS[COMP_CWORD]}" sub="" pos=0 i bin="${__pyv_bin:-pyv}" words=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
      --root | --cache-dir) ((i++)) ;;
      -*) ;;
      *) if [[ -z "$sub" ]]; then sub="${COMP_WORDS[i]}"; else ((pos++)); fi ;;
    esac
  done
  if [[ -n "$sub" && "$cur" != -* ]]; then
    case "$sub" in
      global | local | shell | uninstall | prefix | activate | virtualenv-delete | virtualenv-prefix)
        words="$("$bin" versions --bare 2>/dev/null) system" ;;
      virtualenv) ((pos == 0)) && words="$("$bin" versions --bare --skip-envs 2>/dev/null)" ;;
      install) words="$("$bin" install --list 2>/dev/null) latest" ;;
      which | whence) ((pos == 0)) && words="$("$bin" shims --short 2>/dev/null)" ;;
      exec) ((pos == 0)) && words="$("$bin" shims --short 2>/dev/null)" ;;
    esac
    if [[ -n "$words" ]]; then
      mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
      return 0
    fi
  fi
  _pyv "$@"
}
complete -F _pyv_dynamic -o bashdefault -o default pyv
