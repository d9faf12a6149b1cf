#!/bin/sh
# The `configure` of bench/install.sh --reinstall's stand-in release: a Makefile whose
# `install` runs the release's install.sh with the configure prefix (no compile).
prefix=/usr/local
for a in "$@"; do case "$a" in --prefix=*) prefix="${a#--prefix=}" ;; esac; done
printf 'all:\n\ttrue\ninstall:\n\tPREFIX="%s" sh ./install.sh\n' "$prefix" >Makefile
