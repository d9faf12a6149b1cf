# Auto-activation (pyv init --auto-activate): a .python-version naming an environment
# activates it; leaving deactivates it. At each prompt this costs one string comparison;
# only when the directory or PYV_VERSION changed does it run pyv.
typeset -g __pyv_aa_key=
__pyv_auto_activate() {
  if [[ "${PWD}|${PYV_VERSION-}" != "$__pyv_aa_key" ]]; then
    __pyv_aa_key="${PWD}|${PYV_VERSION-}"
    eval "$("$__pyv_bin" sh-activate --auto)"
  fi
}
autoload -Uz add-zsh-hook
add-zsh-hook precmd __pyv_auto_activate
add-zsh-hook chpwd __pyv_auto_activate
