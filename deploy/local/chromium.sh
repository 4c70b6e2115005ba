#!/usr/bin/env bash
# Finds (or installs) Chromium for the browser tests and prints its path on stdout.
#
#   - VIGIL_CHROMIUM set to an executable, or chromium / chromium-browser /
#     google-chrome / google-chrome-stable on PATH and working: print it, exit 0.
#   - Missing, running as root with apt-get: install Debian's `chromium` package.
#   - Missing otherwise: warn loudly that browser tests will be skipped, print nothing,
#     exit 0; but exit 1 when CI is set (non-empty), so CI never skips them silently.
#
# Messages go to stderr; stdout carries only the path.
set -euo pipefail

say() { printf 'chromium: %s\n' "$*" >&2; }

# works BIN: BIN starts and reports a version. Ubuntu's chromium-browser without snapd is
# a stub that only prints how to install the snap.
works() {
	timeout 30 "$1" --version >/dev/null 2>&1
}

find_browser() {
	local c p
	if [ -n "${VIGIL_CHROMIUM:-}" ]; then
		if [ -x "$VIGIL_CHROMIUM" ] && works "$VIGIL_CHROMIUM"; then
			printf '%s\n' "$VIGIL_CHROMIUM"
			return 0
		fi
		say "VIGIL_CHROMIUM=$VIGIL_CHROMIUM does not run; looking for another browser"
	fi
	for c in chromium chromium-browser google-chrome google-chrome-stable; do
		p="$(command -v "$c" 2>/dev/null)" || continue
		if works "$p"; then
			printf '%s\n' "$p"
			return 0
		fi
		say "$p is on PATH but does not start; ignoring it"
	done
	return 1
}

# The print tests read the PDFs Chromium makes with poppler's pdftotext.
ensure_poppler() {
	command -v pdftotext >/dev/null 2>&1 && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "pdftotext not found; installing poppler-utils with apt-get"
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y poppler-utils; } >&2 || say "installing poppler-utils failed"
	else
		say "pdftotext not found: printed pages are not read (sudo apt-get install poppler-utils)"
	fi
}

# The export tests open the XLSX files with openpyxl, a spreadsheet reader that is not
# the library that wrote them (Debian's python3-openpyxl, for /usr/bin/python3).
ensure_openpyxl() {
	local py=/usr/bin/python3
	[ -x "$py" ] || py="$(command -v python3 2>/dev/null)" || py=""
	[ -n "$py" ] && "$py" -c 'import openpyxl' >/dev/null 2>&1 && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "openpyxl not found; installing python3-openpyxl with apt-get"
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y python3-openpyxl ||
			{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-openpyxl; }; } >&2 ||
			say "installing python3-openpyxl failed"
	else
		say "openpyxl not found: XLSX exports are not opened by a second reader (sudo apt-get install python3-openpyxl)"
	fi
}

if find_browser; then
	ensure_poppler
	ensure_openpyxl
	exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	say "Chromium not found; installing the 'chromium' package with apt-get (about 500 MB)"
	if apt-get update >&2 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium poppler-utils python3-openpyxl >&2 &&
		find_browser; then
		exit 0
	fi
	say "installing chromium with apt-get failed (on Ubuntu the package is a snap: install"
	say "Google Chrome's .deb, or chromium from snap, and/or set VIGIL_CHROMIUM)"
fi

cat >&2 <<'EOF'

  ********************************************************************************
  *  Chromium not found: the BROWSER TESTS WILL BE SKIPPED.                      *
  *  Install it and run the tests again:                                         *
  *      sudo apt-get install chromium          (Debian)                         *
  *      sudo snap install chromium             (Ubuntu)                         *
  *  or point VIGIL_CHROMIUM at a Chromium/Chrome executable.                    *
  ********************************************************************************

EOF
if [ -n "${CI:-}" ]; then
	say "CI is set: a missing browser is an error here"
	exit 1
fi
exit 0
