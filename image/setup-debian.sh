#!/bin/sh
# setup-debian.sh — installs, from Debian's archive, whatever the build and tests need and this
# machine lacks (list: image/packages-build.txt). Idempotent and quiet when everything is there.
# Run as root on Debian 12.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
missing=""
for pkg in $(grep -v '^#' "$here/packages-build.txt"); do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $pkg"
	fi
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# libcurl on mbedTLS for the device's sync/ (built once per machine, quiet afterwards).
sh "$here/build-curl-mbedtls.sh"
