#!/bin/sh
# build-curl-mbedtls.sh — builds, once per machine, a static libcurl on mbedTLS for the device side
# (sync/: enrolment, renewal, later the sync and the SMTP sender). Debian's libcurl is on OpenSSL or
# GnuTLS; the device keeps one TLS library (mbedTLS 2.28, already used for keys and certificates).
# Fetches Debian's own curl source package (with Debian's security patches) without touching the
# machine's apt sources, keeps HTTP(S) and SMTP(S) only, and installs headers + libcurl.a into
# AGENDA_CURL_MBEDTLS_DIR (default /var/cache/agenda/curl-mbedtls). Quiet when already built.
# Needs: root or a writable cache folder, network access to Debian's archive, gcc, make, dpkg-dev.
set -eu
dest=${AGENDA_CURL_MBEDTLS_DIR:-/var/cache/agenda/curl-mbedtls}
# The stamp names what was built: change the options here and the next run rebuilds.
options="--with-mbedtls=/usr --without-openssl --without-gnutls --without-wolfssl --without-bearssl
 --without-rustls --without-nss --disable-shared --enable-static --disable-manual --disable-ldap
 --disable-ldaps --disable-rtsp --disable-dict --disable-telnet --disable-tftp --disable-pop3
 --disable-imap --disable-gopher --disable-mqtt --disable-smb --disable-ftp --disable-file
 --disable-alt-svc --disable-ntlm --disable-ntlm-wb --without-zlib --without-brotli --without-zstd
 --without-libpsl --without-libidn2 --without-nghttp2 --without-nghttp3 --without-ngtcp2
 --without-libssh2 --without-libssh --without-librtmp --without-libgsasl --without-ca-bundle
 --without-ca-path --without-ca-fallback --with-pic"
stamp="curl-mbedtls 1 $(echo "$options" | tr -s ' \n' ' ')"
if [ -f "$dest/lib/libcurl.a" ] && [ -f "$dest/STAMP" ] && [ "$(cat "$dest/STAMP")" = "$stamp" ]; then
	exit 0
fi
echo "build-curl-mbedtls: building libcurl on mbedTLS into $dest (once, about 2 minutes)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
# A private apt configuration: the machine's sources with deb-src added, lists and cache in $work.
mkdir -p "$work/parts" "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	sed 's/^Types: deb$/Types: deb deb-src/' "$f" >"$work/parts/$(basename "$f")"
done
# An older machine lists its archives one per line in sources.list: each "deb" gets its "deb-src".
: >"$work/sources.list"
if [ -f /etc/apt/sources.list ]; then
	sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >>"$work/sources.list"
	grep '^deb ' /etc/apt/sources.list >>"$work/sources.list" || true
fi
apt_private() {
	apt-get -qq -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts="$work/parts" \
		-o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" \
		-o APT::Sandbox::User=root "$@"
}
apt_private update >/dev/null
(cd "$work/src" && apt_private source --download-only curl >/dev/null)
orig=$(ls "$work"/src/curl_*.orig.tar.gz)
debian=$(ls "$work"/src/curl_*.debian.tar.xz)
mkdir "$work/curl"
tar -xzf "$orig" -C "$work/curl" --strip-components=1
tar -xJf "$debian" -C "$work/curl"
# Debian's patches up to its own marker: the last two turn the tree into the GnuTLS/NSS flavours.
# configure.ac uses AM_MAINTAINER_MODE, so patched Makefile.am files do not ask for automake.
sed '/Do not add patches below/q' "$work/curl/debian/patches/series" | grep -v '^#' | grep . |
	while read -r p; do
		patch -s -p1 -d "$work/curl" <"$work/curl/debian/patches/$p"
	done
cd "$work/curl"
# shellcheck disable=SC2086
./configure -q $options >"$work/configure.log" 2>&1 || {
	tail -30 "$work/configure.log"
	exit 1
}
grep -q '^#define USE_MBEDTLS 1' lib/curl_config.h
make -s -C lib -j"$(nproc)" >"$work/make.log" 2>&1 || {
	tail -30 "$work/make.log"
	exit 1
}
rm -rf "$dest.new"
mkdir -p "$dest.new/lib" "$dest.new/include/curl"
cp lib/.libs/libcurl.a "$dest.new/lib/"
cp include/curl/*.h "$dest.new/include/curl/"
for dsc in "$work"/src/curl_*.dsc; do basename "$dsc"; done >"$dest.new/SOURCE"
echo "$stamp" >"$dest.new/STAMP"
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$dest.new" "$dest"
echo "build-curl-mbedtls: done ($(cat "$dest/SOURCE"))"
