#!/usr/bin/env bash
# Installs what the test suite needs, idempotently: Go modules, Chromium
# for the browser test, curl, wget and python3-requests for the README's
# client examples, script(1) for a terminal test, Node.js and the npm
# packages pinned in package-lock.json: serverless@3 and osls for the
# deploy tests, dynalite (DynamoDB) and s3rver (S3) for the tests against
# a real AWS API; and, for the python3 on PATH, cfn-lint and
# aws-sam-translator at the versions the deploy tests were written
# against. Run it again and it does only what is missing.
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
# already holds that lock. (npm ci, not npm install: adding osls to an
# existing tree with npm install can leave the serverless command linked
# to osls; npm ci links it to serverless@3, and the deploy tests check.)
if [ ! -x node_modules/.bin/serverless ] || [ ! -x node_modules/.bin/osls ] || ! cmp -s package-lock.json node_modules/.formgate-lock; then
	echo "deps: npm ci (serverless@3, osls, dynalite, s3rver)"
	NPM_CONFIG_UPDATE_NOTIFIER=false npm ci --no-audit --no-fund --loglevel=error
	cp package-lock.json node_modules/.formgate-lock
fi

# cfn-lint lints every template the deploy tests make; aws-sam-translator
# turns deploy/sam/template.yaml into CloudFormation offline. Both for the
# python3 on PATH (the one the tests run), at the versions the tests'
# findings were read with (deploy/tools_test.go). pip needs PyPI; where it
# cannot install (no network, or a system Python that refuses pip), stop
# and say what is missing rather than let the tests skip.
py_pins="cfn-lint==1.51.0 aws-sam-translator==1.110.0"
py_check='import cfnlint.version, samtranslator
v = (cfnlint.version.__version__, samtranslator.__version__)
assert v == ("1.51.0", "1.110.0"), "cfn-lint %s, aws-sam-translator %s" % v'
if ! command -v python3 >/dev/null 2>&1; then
	echo "deps: installing python3 (deploy tests: cfn-lint, SAM translation)"
	apt_install python3 python3-pip
fi
if ! py_err=$(python3 -c "$py_check" 2>&1); then
	echo "deps: $(command -v python3) lacks $py_pins ($(echo "$py_err" | tail -n 1)): installing them with pip (deploy tests)"
	if ! python3 -m pip --version >/dev/null 2>&1; then
		apt_install python3-pip
	fi
	if ! python3 -m pip install --quiet --disable-pip-version-check $py_pins; then
		echo "deps: could not install $py_pins for $(command -v python3) with pip." >&2
		echo "deps: the deploy tests need them. With network, in a virtualenv if this Python refuses pip:" >&2
		echo "deps:   python3 -m venv ~/.venv/formgate && . ~/.venv/formgate/bin/activate && python3 -m pip install $py_pins" >&2
		exit 1
	fi
	python3 -c "$py_check"
fi
