#!/usr/bin/env bash
# Installs what the test suite needs, idempotently: Go modules, Chromium
# for the browser test, curl, wget and python3-requests for the README's
# client examples, script(1) for a terminal test, Node.js and the npm
# packages pinned in package-lock.json: serverless@3 for the deploy tests,
# dynalite (DynamoDB) and s3rver (S3) for the tests against a real AWS API.
# Run it again and it does only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_updated=""
apt_install() {
	if [ -z "$apt_updated" ]; then
		$sudo apt-get update -qq
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

go mod download

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
	echo "deps: installing chromium (browser test)"
	apt_install chromium
fi

# The clients the README shows, run by cmd/local's TestREADMEClients.
for tool in curl wget; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "deps: installing $tool (README client test)"
		apt_install "$tool"
	fi
done
if ! /usr/bin/python3 -c 'import requests' >/dev/null 2>&1; then
	echo "deps: installing python3-requests (README client test)"
	apt_install python3 python3-requests
fi

if ! command -v script >/dev/null 2>&1; then
	echo "deps: installing bsdutils (script(1), for the hash-password terminal test)"
	apt_install bsdutils
fi

if ! command -v npm >/dev/null 2>&1; then
	echo "deps: installing nodejs and npm (deploy tests)"
	apt_install nodejs npm
fi

# npm ci installs exactly package-lock.json; skip it when node_modules
# already holds that lock.
if [ ! -x node_modules/.bin/serverless ] || ! cmp -s package-lock.json node_modules/.formgate-lock; then
	echo "deps: npm ci (serverless@3, dynalite, s3rver)"
	NPM_CONFIG_UPDATE_NOTIFIER=false npm ci --no-audit --no-fund --loglevel=error
	cp package-lock.json node_modules/.formgate-lock
fi
