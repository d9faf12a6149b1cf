
# pyv: names from the live root. Installed versions and environments for the commands that
# take them, the catalog for `install`, command names for `which`/`whence`/`exec`; everything
# else (subcommands, options) comes from _pyv above.
_pyv_dynamic() {
  local sub="" bin="${__pyv_bin:-pyv}" i pos=0
  local -a names
  for ((i = 2; i < CURRENT; i++)); do
    case "${words[i]}" in
      --root | --cache-dir) ((i++)) ;;
      -*) ;;
      *) if [[ -z "$sub" ]]; then sub="${words[i]}"; else ((pos++)); fi ;;
    esac
  done
  if [[ -n "$sub" && "${words[CURRENT]}" != -* ]]; then
    case "$sub" in
      global | local | shell | prefix | activate | virtualenv-prefix)
        names=(${(f)"$("$bin" versions --bare 2>/dev/null)"} system) ;;
      uninstall) names=(${(f)"$("$bin" versions --bare 2>/dev/null)"}) ;;
      virtualenv-delete)
        names=(${(f)"$("$bin" virtualenvs --bare 2>/dev/null)"}
          ${(M)${(f)"$("$bin" versions --bare 2>/dev/null)"}:#*/envs/*}) ;;
      virtualenv) ((pos == 0)) && names=(${(f)"$("$bin" versions --bare --skip-envs 2>/dev/null)"}) ;;
      install) names=(${(f)"$("$bin" install --list 2>/dev/null)"} latest) ;;
      which | whence | exec) ((pos == 0)) && names=(${(f)"$("$bin" shims --short 2>/dev/null)"}) ;;
    esac
    if ((${#names})); then
      # compadd takes the names as data and quotes them when inserting.
      compadd -- "${names[@]}"
      return
    fi
  fi
  _pyv "$@"
}
compdef _pyv_dynamic pyv
