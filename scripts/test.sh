#!/usr/bin/env bash
# Installs what the tests need, restores, builds everything (C# and the optional C shims) and runs every test.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
./scripts/install-deps.sh --test
echo "== native shims (built only where their libraries are found)"
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release ${EROFS_ACCEL_CMAKE_ARGS:-} >/dev/null
cmake --build build/native -j2
echo "== restore and build"
dotnet restore Erofs.Accel.sln --nologo -v quiet
dotnet build Erofs.Accel.sln -c Release --no-restore --nologo -v quiet "-clp:ErrorsOnly;NoSummary"
echo "== packages (every packable project, and a consumer app built against the .nupkg files)"
./scripts/pack.sh --no-build --check
echo "== tests"
# normal verbosity prints every skipped test with its reason (QPL, QAT, root, OpenCL absent)
dotnet test Erofs.Accel.sln -c Release --no-build --nologo --logger "console;verbosity=normal" 2>&1 | grep -vE "^\s+Passed |^\s*$"
