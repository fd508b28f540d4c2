# Installs the scryptorum binary on Windows:
#   irm <releases>/latest/download/install.ps1 | iex
#   & ([scriptblock]::Create((irm <releases>/latest/download/install.ps1))) -Version v0.2.0
# Environment: SCRYPTORUM_VERSION, SCRYPTORUM_INSTALL (default ~\.scryptorum; the binary goes
# to its bin\), SCRYPTORUM_RELEASES_URL (mirrors, air-gapped installs). The archive is checked
# against the release's SHA256SUMS; a mismatch stops the install with nothing changed.
param(
  [string]$Version = $(if ($env:SCRYPTORUM_VERSION) { $env:SCRYPTORUM_VERSION } else { "latest" }),
  [switch]$NoModifyPath
)
$ErrorActionPreference = "Stop"
$Releases = if ($env:SCRYPTORUM_RELEASES_URL) { $env:SCRYPTORUM_RELEASES_URL } else { "https://github.com/scryptorum/scryptorum/releases" }
$InstallDir = if ($env:SCRYPTORUM_INSTALL) { $env:SCRYPTORUM_INSTALL } else { Join-Path $HOME ".scryptorum" }

$arch = $env:PROCESSOR_ARCHITECTURE
if ($arch -ne "AMD64" -and $env:PROCESSOR_ARCHITEW6432 -ne "AMD64") {
  # Windows on ARM runs the x64 build under emulation.
  Write-Warning "no native build for $arch: installing the x64 build"
}
$file = "scryptorum-windows-x64.zip"
if ($Version -eq "latest") { $base = "$Releases/latest/download" }
else {
  if (-not $Version.StartsWith("v")) { $Version = "v$Version" }
  $base = "$Releases/download/$Version"
}

$tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("scryptorum-" + [guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
  Write-Host "downloading $file ($Version) from $base"
  Invoke-WebRequest -UseBasicParsing -Uri "$base/$file" -OutFile (Join-Path $tmp $file)
  Invoke-WebRequest -UseBasicParsing -Uri "$base/SHA256SUMS" -OutFile (Join-Path $tmp "SHA256SUMS")
  $line = Get-Content (Join-Path $tmp "SHA256SUMS") | Where-Object { ($_ -split "\s+")[1] -in @($file, "*$file") } | Select-Object -First 1
  if (-not $line) { throw "SHA256SUMS lists no $file: nothing was installed" }
  $expected = ($line -split "\s+")[0].ToLower()
  $actual = (Get-FileHash -Algorithm SHA256 (Join-Path $tmp $file)).Hash.ToLower()
  if ($actual -ne $expected) { throw "checksum mismatch for $file (expected $expected, got $actual): nothing was installed" }
  Expand-Archive -Path (Join-Path $tmp $file) -DestinationPath (Join-Path $tmp "x")
  $new = Join-Path $tmp "x\scryptorum.exe"
  & $new --version | Out-Null
  if ($LASTEXITCODE -ne 0) { throw "the downloaded scryptorum.exe does not run here: nothing was installed" }

  $bin = Join-Path $InstallDir "bin"
  New-Item -ItemType Directory -Force -Path $bin | Out-Null
  $dest = Join-Path $bin "scryptorum.exe"
  # A running scryptorum.exe cannot be overwritten but can be renamed: move it aside first.
  if (Test-Path $dest) { Move-Item -Force $dest "$dest.old" }
  Copy-Item $new $dest
  Remove-Item -Force "$dest.old" -ErrorAction SilentlyContinue
  Write-Host "installed $(& $dest --version) to $dest"

  if ($env:GITHUB_PATH) { Add-Content -Path $env:GITHUB_PATH -Value $bin }
  elseif (-not $NoModifyPath -and -not $env:CI) {
    $userPath = [Environment]::GetEnvironmentVariable("Path", "User")
    if (-not ($userPath -split ";" | Where-Object { $_ -eq $bin })) {
      [Environment]::SetEnvironmentVariable("Path", "$bin;$userPath", "User")
      Write-Host "added $bin to your user PATH: open a new terminal"
    }
  }
} finally {
  Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue
}
