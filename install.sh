#!/bin/sh
# Installs the scryptorum binary: curl -fsSL <releases>/latest/download/install.sh | sh
#
#   sh install.sh [--version <tag>] [--no-modify-path]
#
# Environment: SCRYPTORUM_VERSION (a tag such as v0.2.0; default: the latest release),
# SCRYPTORUM_INSTALL (default ~/.scryptorum; the binary goes to $SCRYPTORUM_INSTALL/bin),
# SCRYPTORUM_RELEASES_URL (default the project's GitHub releases page; a mirror or a local
# server for air-gapped installs). "latest" is resolved by the releases page's
# latest/download redirect, never the GitHub API. Every download is checked against the
# release's SHA256SUMS; any mismatch or missing tool stops the install with nothing changed.
set -eu

RELEASES_URL="${SCRYPTORUM_RELEASES_URL:-https://github.com/scryptorum/scryptorum/releases}"
VERSION="${SCRYPTORUM_VERSION:-latest}"
INSTALL_DIR="${SCRYPTORUM_INSTALL:-$HOME/.scryptorum}"
MODIFY_PATH=1

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version needs a tag, such as --version v0.2.0"; VERSION="$2"; shift 2 ;;
    --version=*) VERSION="${1#--version=}"; shift ;;
    --no-modify-path) MODIFY_PATH=0; shift ;;
    -h|--help) sed -n '2,12p' "$0" 2>/dev/null || true; exit 0 ;;
    *) die "unknown option $1: use --version <tag> or --no-modify-path" ;;
  esac
done

# --- what to download -----------------------------------------------------------------
os=$(uname -s)
arch=$(uname -m)
case "$os" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  MINGW*|MSYS*|CYGWIN*) die "on Windows, run in PowerShell: irm ${RELEASES_URL}/latest/download/install.ps1 | iex" ;;
  *) die "no scryptorum build for $os: build from source (see the README)" ;;
esac
case "$arch" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) die "no scryptorum build for the $arch processor: build from source (see the README)" ;;
esac
# A shell under Rosetta reports x86_64 on an Apple silicon Mac: take the native build.
if [ "$os" = darwin ] && [ "$arch" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
  arch=arm64
fi
target="$os-$arch"
if [ "$os" = linux ]; then
  # musl: Alpine's marker file, or ldd saying so (a loader file alone gives false positives).
  if [ -f /etc/alpine-release ] || (ldd --version 2>&1 || true) | grep -qi musl; then
    target="$target-musl"
    say "musl libc detected: the binary needs libstdc++ and libgcc (apk add libstdc++ libgcc)"
  fi
fi
file="scryptorum-$target.tar.gz"

if [ "$VERSION" = latest ]; then
  base="$RELEASES_URL/latest/download"
else
  case "$VERSION" in v*) ;; *) VERSION="v$VERSION" ;; esac
  base="$RELEASES_URL/download/$VERSION"
fi

# --- tools ------------------------------------------------------------------------------
if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --retry 3 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  die "neither curl nor wget is installed: install one of them and run this again"
fi
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d ' ' -f 1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
else
  die "neither sha256sum nor shasum is installed: the download cannot be verified, so nothing was installed"
fi
command -v tar >/dev/null 2>&1 || die "tar is not installed: install it and run this again"

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t scryptorum)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- download and verify ----------------------------------------------------------------
say "downloading $file ($VERSION) from $base"
fetch "$base/$file" "$tmp/$file" || die "could not download $base/$file: check the version ($VERSION) and your connection"
fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS" || die "could not download $base/SHA256SUMS: nothing was installed"
expected=$(awk -v f="$file" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "SHA256SUMS lists no $file: nothing was installed"
actual=$(sha256 "$tmp/$file")
[ "$actual" = "$expected" ] || die "checksum mismatch for $file (expected $expected, got $actual): the download is damaged or was tampered with; nothing was installed"

mkdir "$tmp/x"
tar -xzf "$tmp/$file" -C "$tmp/x" || die "could not unpack $file: nothing was installed"
[ -f "$tmp/x/scryptorum" ] || die "$file holds no scryptorum executable: nothing was installed"
chmod 755 "$tmp/x/scryptorum"
"$tmp/x/scryptorum" --version >/dev/null 2>&1 || die "the downloaded scryptorum does not run on this machine ($target): nothing was installed"

# --- install atomically: a copy beside the target, then one rename ----------------------
bin_dir="$INSTALL_DIR/bin"
mkdir -p "$bin_dir" || die "cannot create $bin_dir: set SCRYPTORUM_INSTALL to a folder you can write"
cp "$tmp/x/scryptorum" "$bin_dir/.scryptorum.new.$$"
mv -f "$bin_dir/.scryptorum.new.$$" "$bin_dir/scryptorum"
say "installed $("$bin_dir/scryptorum" --version) to $bin_dir/scryptorum"

# --- PATH -------------------------------------------------------------------------------
case ":${PATH:-}:" in
  *":$bin_dir:"*) on_path=1 ;;
  *) on_path=0 ;;
esac
if [ -n "${GITHUB_PATH:-}" ]; then
  printf '%s\n' "$bin_dir" >>"$GITHUB_PATH"
  say "added $bin_dir to GITHUB_PATH"
elif [ "$on_path" = 1 ]; then
  :
elif [ "$MODIFY_PATH" = 0 ] || [ -n "${CI:-}" ] || [ ! -t 1 ]; then
  say "add it to your PATH: export PATH=\"$bin_dir:\$PATH\""
else
  case "$(basename "${SHELL:-sh}")" in
    zsh) rc="$HOME/.zshrc"; line="export PATH=\"$bin_dir:\$PATH\"" ;;
    bash) if [ "$os" = darwin ]; then rc="$HOME/.bash_profile"; else rc="$HOME/.bashrc"; fi; line="export PATH=\"$bin_dir:\$PATH\"" ;;
    fish) rc="$HOME/.config/fish/config.fish"; line="fish_add_path \"$bin_dir\"" ;;
    *) rc="$HOME/.profile"; line="export PATH=\"$bin_dir:\$PATH\"" ;;
  esac
  if [ -f "$rc" ] && grep -qF "$line" "$rc"; then
    say "$rc already puts $bin_dir on PATH: open a new shell to use scryptorum"
  else
    mkdir -p "$(dirname "$rc")"
    printf '\n# scryptorum\n%s\n' "$line" >>"$rc"
    say "added $bin_dir to PATH in $rc: open a new shell (or run: $line)"
  fi
fi
say "run: scryptorum --help"
