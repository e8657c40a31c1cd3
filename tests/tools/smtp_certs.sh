#!/bin/sh
# smtp_certs.sh DIR — a throw-away CA and a `localhost` server certificate for the SMTP tests and
# the demo's mail sink (issue 13): DIR/ca.pem, DIR/server.pem, DIR/server.key (EC P-256, 30 days).
# The name is `localhost` because mbedTLS 2.28 (libcurl's TLS) does not match IP-address SANs.
# Run it twice into two folders to get a CA the server does not chain to (the wrong-CA test).
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
  -days 30 -subj "/CN=Agenda test mail CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
  -out server.csr -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
  -days 30 -extfile server.ext 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 600 ca.key server.key
