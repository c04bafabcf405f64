#!/usr/bin/env bash
# Prints the path of a pristine WordPress core tree for VERSION (6.5.5 or 6.1.9), preparing it once:
#   6.5.5  from npm @wp-playground/wordpress-builds@0.9.19 (PHP from src/wordpress/wp-6.5.zip, assets from
#          public/wp-6.5/); the 158 MB tarball and the assembled tree are cached in $SW_CACHE (never required).
#   6.1.9  from Debian's `wordpress` package (/usr/share/wordpress, symlinks into /etc and
#          /usr/share/javascript dereferenced by the site copy in up.sh).
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
VERSION=${1:?usage: wp-core.sh 6.5.5|6.1.9}

case "$VERSION" in
  6.1.9)
    v=$(dpkg-query -W -f='${Version}' wordpress 2>/dev/null || true)
    case "$v" in 6.1.9*) ;; *) sw_die "Debian's wordpress package is '${v:-missing}', expected 6.1.9";; esac
    echo /usr/share/wordpress ;;
  6.5.5)
    tree=$SW_CACHE/wp/6.5.5
    if [ ! -f "$tree/.complete" ]; then
      tgz=$SW_CACHE/npm/wp-playground-wordpress-builds-0.9.19.tgz
      mkdir -p "$SW_CACHE/npm"
      if [ ! -f "$tgz" ]; then
        sw_log "npm: fetching $SW_WP_BUILDS_PKG (158 MB, once)"
        tmp=$(mktemp -d "$SW_CACHE/npm/pack.XXXXXX")
        (cd "$tmp" && npm pack --silent "$SW_WP_BUILDS_PKG" >/dev/null 2>"$tmp/npm.log") || { cat "$tmp/npm.log" >&2; rm -rf "$tmp"; exit 1; }
        mv "$tmp"/*.tgz "$tgz"; rm -rf "$tmp"
      fi
      rm -rf "$tree" "$tree.tmp"; mkdir -p "$tree.tmp/dl"
      tar xzf "$tgz" -C "$tree.tmp/dl" package/src/wordpress/wp-6.5.zip package/public/wp-6.5
      unzip -q "$tree.tmp/dl/package/src/wordpress/wp-6.5.zip" -d "$tree"
      cp -r "$tree.tmp/dl/package/public/wp-6.5/." "$tree/"
      rm -rf "$tree.tmp" "$tree/wp-content/database" "$tree/wp-config.php" "$tree/wordpress-remote-asset-paths"
      grep -q "\$wp_version = '6.5.5';" "$tree/wp-includes/version.php" || sw_die "the npm build is not WordPress 6.5.5"
      touch "$tree/.complete"
    fi
    echo "$tree" ;;
  *) sw_die "unsupported WordPress version $VERSION (6.5.5 or 6.1.9)";;
esac
