#!/usr/bin/env bash
# Installs what the test suite needs, idempotently: Go modules, and
# Chromium for the browser test. Safe to run again; does nothing when all
# is there.
set -euo pipefail
cd "$(dirname "$0")/.."

go mod download

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "deps: installing chromium (browser test)"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
